import type { Collection, StoredPoint } from "./collection.js";
import { badRequest } from "./errors.js";
import { QueryEvaluator } from "./query.js";
import { readPayloadSelector, readVectorSelector, renderScored } from "./render.js";
import type { NamedVectorStruct, QueryRequest, SparseVector } from "./requests/qdrant-requests.generated.js";

/** Runs one checked `QueryRequest` and renders its points (`where`: its place in a batch). */
export function runQuery(
  collection: Collection,
  request: QueryRequest,
  where = "",
): Array<Record<string, unknown>> {
  if (request.lookup_from) throw badRequest("Bad request: lookup_from is not supported by qdrant-local");
  const payload = readPayloadSelector(request.with_payload, false);
  const vector = readVectorSelector(request.with_vector, false);
  const hits = new QueryEvaluator(collection).run(request, where, undefined, request.offset ?? 0);
  return hits.map((h) =>
    renderScored(collection, collection.slots[h.slot] as StoredPoint, h.score, payload, vector, h.orderValue),
  );
}

/** The legacy search body (`vector` plain or named, `limit`...) as a query request. */
export function searchAsQuery<T extends { vector: NamedVectorStruct }>({
  vector,
  ...rest
}: T): Omit<T, "vector"> & { query: number[] | SparseVector; using?: string } {
  if (Array.isArray(vector)) return { ...rest, query: vector };
  return { ...rest, query: vector.vector, using: vector.name };
}

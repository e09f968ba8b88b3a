import type { Collection, StoredPoint } from "./collection.js";
import type { Engine } from "./engine.js";
import { formatError } from "./errors.js";
import { runQueryGroups } from "./groups.js";
import { isPlainObject } from "./parse-points.js";
import { QueryEvaluator } from "./query.js";
import { readPayloadSelector, readVectorSelector, renderScored } from "./render.js";
import type { Route } from "./router.js";

/** Runs one `QueryRequest` body and renders its points. */
export function runQuery(
  collection: Collection,
  body: unknown,
  where: string,
): Array<Record<string, unknown>> {
  const request = body === undefined ? {} : body;
  if (!isPlainObject(request)) throw formatError(where, "invalid type: expected a query request object");
  if (request.lookup_from !== undefined && request.lookup_from !== null) {
    throw formatError(`${where}.lookup_from`, "lookup_from is not supported by qdrant-local");
  }
  const payload = readPayloadSelector(request.with_payload, `${where}.with_payload`, false);
  const vector = readVectorSelector(request.with_vector, `${where}.with_vector`, false);
  const hits = new QueryEvaluator(collection).run(request, where, undefined, true);
  return hits.map((h) =>
    renderScored(collection, collection.slots[h.slot] as StoredPoint, h.score, payload, vector, h.orderValue),
  );
}

/** The legacy search body (`vector`, `top`/`limit`, ...) as a query request. */
function searchAsQuery(body: unknown, where: string): Record<string, unknown> {
  if (!isPlainObject(body)) throw formatError(where, "invalid type: expected a search request object");
  const { vector, top, limit, ...rest } = body;
  let query: unknown = vector;
  let using: string | undefined;
  if (isPlainObject(vector) && "name" in vector) {
    if (typeof vector.name !== "string") throw formatError(`${where}.vector.name`, "expected a vector name");
    using = vector.name;
    query = vector.vector;
  }
  if (query === undefined) throw formatError(where, "missing field `vector`");
  return { ...rest, query, ...(using !== undefined ? { using } : {}), limit: limit ?? top };
}

export function queryRoutes(engine: Engine): Route[] {
  const store = engine.store;
  const searches = (body: unknown): unknown[] => {
    if (!isPlainObject(body) || !Array.isArray(body.searches))
      throw formatError("searches", "expected a list of requests");
    return body.searches;
  };
  return [
    [
      "POST",
      "/collections/{name}/points/query",
      ({ params, body }) => ({ points: runQuery(store.get(params.name), body, "") }),
    ],
    [
      "POST",
      "/collections/{name}/points/query/batch",
      ({ params, body }) => {
        const c = store.get(params.name);
        return searches(body).map((q, i) => ({ points: runQuery(c, q, `searches[${i}]`) }));
      },
    ],
    [
      "POST",
      "/collections/{name}/points/query/groups",
      ({ params, body }) => runQueryGroups(store.get(params.name), body, ""),
    ],
    [
      "POST",
      "/collections/{name}/points/search/groups",
      ({ params, body }) => runQueryGroups(store.get(params.name), searchAsQuery(body, ""), ""),
    ],
    [
      "POST",
      "/collections/{name}/points/search",
      ({ params, body }) => runQuery(store.get(params.name), searchAsQuery(body, ""), ""),
    ],
    [
      "POST",
      "/collections/{name}/points/search/batch",
      ({ params, body }) => {
        const c = store.get(params.name);
        return searches(body).map((q, i) =>
          runQuery(c, searchAsQuery(q, `searches[${i}]`), `searches[${i}]`),
        );
      },
    ],
  ];
}

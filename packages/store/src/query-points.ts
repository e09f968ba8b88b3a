import { z } from "zod";
import { collectionPath, type QdrantConnection } from "./qdrant-connection.js";
import type { QueryBody } from "./query-body.js";

/** A point as Qdrant's query answers it (the fields the search API keeps). */
export const ScoredPoint = z.object({
  id: z.union([z.number(), z.string()]),
  score: z.number(),
  payload: z.record(z.string(), z.unknown()).nullish(),
});
export type ScoredPoint = z.infer<typeof ScoredPoint>;

const QueryResult = z.object({ points: z.array(ScoredPoint) });

/**
 * One `POST /collections/{name}/points/query`, read with the connection's read consistency. The body is sent as
 * `serializeQueryBody` writes it, so a cached query vector is turned into JSON once.
 */
export async function queryPoints(
  qdrant: QdrantConnection,
  collection: string,
  body: QueryBody,
): Promise<ScoredPoint[]> {
  const { points } = await qdrant.request({
    method: "POST",
    path: collectionPath(collection, "/points/query"),
    query: { consistency: qdrant.readConsistency },
    body: serializeQueryBody(body),
    result: QueryResult,
    action: `search in "${collection}"`,
  });
  return points;
}

const ScrollResult = z.object({
  points: z.array(z.object({ payload: z.record(z.string(), z.unknown()).nullish() })),
});

/** The first `limit` points by id, with their payloads (no vectors). */
export async function scrollPayloads(
  qdrant: QdrantConnection,
  collection: string,
  limit: number,
): Promise<Array<{ payload?: Record<string, unknown> | null | undefined }>> {
  const { points } = await qdrant.request({
    method: "POST",
    path: collectionPath(collection, "/points/scroll"),
    body: { limit, with_payload: true, with_vector: false },
    result: ScrollResult,
    action: `read collection "${collection}"`,
  });
  return points;
}

/** JSON text of dense vectors, by array identity: a cached query embedding is serialised once, not per request. */
const denseJson = new WeakMap<number[], string>();
const DENSE_MARK = "\u0000dense\u0000";

/** `JSON.stringify(body)`, with the dense query vector's text reused across requests for the same cached vector. */
export function serializeQueryBody(body: QueryBody): string {
  const dense = Array.isArray(body.query) ? body.query : body.prefetch?.[0]?.query;
  if (!Array.isArray(dense)) return JSON.stringify(body);
  let text = denseJson.get(dense);
  if (text === undefined) {
    text = JSON.stringify(dense);
    denseJson.set(dense, text);
  }
  const json = JSON.stringify(body, (_key, value) => (value === dense ? DENSE_MARK : value));
  return json.replace(JSON.stringify(DENSE_MARK), () => text);
}

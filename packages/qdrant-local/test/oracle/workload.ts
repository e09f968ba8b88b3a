/** A differential workload: one collection, then updates and queries in order, all as Qdrant REST JSON bodies. */

export type PointIdJson = number | string;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type SparseJson = { indices: number[]; values: number[] };

export interface PointJson {
  id: PointIdJson;
  vector: Record<string, number[] | SparseJson>;
  payload?: JsonObject;
}

export type Distance = "Cosine" | "Dot" | "Euclid" | "Manhattan";

export interface CollectionJson {
  vectors: Record<string, { size: number; distance: Distance }>;
  sparse_vectors: Record<string, { modifier?: "idf" }>;
}

export type Update =
  | { op: "upsert"; points: PointJson[] }
  | { op: "delete"; points: PointIdJson[] }
  | { op: "delete_by_filter"; filter: JsonObject }
  | { op: "set_payload"; points: PointIdJson[]; payload: JsonObject; key?: string }
  | { op: "overwrite_payload"; points: PointIdJson[]; payload: JsonObject }
  | { op: "delete_payload"; points: PointIdJson[]; keys: string[] };

/** A query body for POST /points/query; `limit` is always explicit (Edge has no default). */
export type QueryJson = JsonObject & { limit: number; offset?: number };

/** `retrieve` reads points back (payload and vectors), ids that do not exist included. */
export type Step = { update: Update } | { query: QueryJson } | { retrieve: PointIdJson[] };

export interface Workload {
  id: string;
  collection: CollectionJson;
  steps: Step[];
}

/** What one query returned: ids with scores in order, or a refusal. */
export type QueryOutcome = { points: Array<[PointIdJson, number]> } | { error: string };

/** What one retrieve returned: the points that exist, with payload and vectors, in any order. */
export type RetrieveOutcome = {
  records: Array<{ id: PointIdJson; payload: unknown; vector: Record<string, number[] | SparseJson> }>;
};

/** Per step: null for an update, else what the query or retrieve returned. */
export type StepOutcome = QueryOutcome | RetrieveOutcome | null;

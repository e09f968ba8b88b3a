import type { CollectionConfig } from "./collection-config.js";
import type { PointId } from "./point-id.js";
import type { PayloadFieldSchema } from "./requests/qdrant-requests.generated.js";

/** A checked vector: dense numbers (a Float32Array only when restored from a snapshot), or a sparse pair of lists. */
export type VectorInput = number[] | Float32Array | { indices: number[]; values: number[] };

export interface PointInput {
  id: PointId;
  vectors: Record<string, VectorInput>;
  payload: Record<string, unknown>;
}

/**
 * Every change to the store, already validated and with filters resolved to ids, so that applying one can't fail.
 * The same records are written to the write-ahead log and replayed on start.
 */
export type Operation =
  | { type: "create_collection"; collection: string; config: CollectionConfig }
  | { type: "delete_collection"; collection: string }
  | {
      type: "update_collection";
      collection: string;
      metadata: Record<string, unknown> | null;
      /** New sparse vector modifiers by name. */
      sparseModifiers?: Record<string, "idf" | "none">;
    }
  | { type: "create_index"; collection: string; field: string; schema: PayloadFieldSchema }
  | { type: "delete_index"; collection: string; field: string }
  | { type: "upsert"; collection: string; points: PointInput[] }
  | { type: "delete_points"; collection: string; ids: PointId[] }
  | {
      type: "set_payload";
      collection: string;
      ids: PointId[];
      payload: Record<string, unknown>;
      key: string | null;
    }
  | { type: "overwrite_payload"; collection: string; ids: PointId[]; payload: Record<string, unknown> }
  | { type: "delete_payload"; collection: string; ids: PointId[]; keys: string[] }
  | { type: "clear_payload"; collection: string; ids: PointId[] }
  | {
      type: "update_vectors";
      collection: string;
      points: Array<{ id: PointId; vectors: Record<string, VectorInput> }>;
    }
  | { type: "delete_vectors"; collection: string; ids: PointId[]; names: string[] };

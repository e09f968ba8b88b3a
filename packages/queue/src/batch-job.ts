import { CollectionName } from "@hybrid/config";
import { z } from "zod";

/** One row (or one chunk of a long row) ready to embed. */
export const BatchRow = z.object({
  /** Stable row id: the `id` field's value, or `<source>#<row number>`. */
  rowId: z.string().min(1),
  /** 1-based line (JSON Lines) or element index (JSON array) in the source, for error reports. */
  line: z.number().int().nonnegative(),
  /** Chunk number within the row (0 when the row is not split). */
  chunk: z.number().int().nonnegative().default(0),
  /** The text to embed. */
  text: z.string().min(1),
  /** Payload stored with the point. */
  payload: z.record(z.string(), z.unknown()),
});
export type BatchRow = z.infer<typeof BatchRow>;

/**
 * Who computes a collection's vectors: `client` (the workers), `mixed` (dense by the workers, BM25 by the store from
 * documents) or `server` (the store embeds both from documents).
 */
export const InferenceMode = z.enum(["client", "mixed", "server"]);
export type InferenceMode = z.infer<typeof InferenceMode>;

/** The models a collection was built with; workers refuse a batch whose models differ from their own. */
export const ModelSpec = z.object({
  dense: z.string().min(1),
  denseDim: z.number().int().positive(),
  sparse: z.string().min(1),
  /** The collection's inference mode; absent means `client` (payloads and collections from before the modes). */
  inference: InferenceMode.optional(),
});
export type ModelSpec = z.infer<typeof ModelSpec>;

/** Payload of a child job on the `embed` queue: one batch of rows of one ingestion. */
export const BatchJob = z.object({
  v: z.literal(1),
  ingestionId: z.string().min(1),
  collection: CollectionName,
  batchIndex: z.number().int().nonnegative(),
  models: ModelSpec,
  rows: z.array(BatchRow).min(1).max(4096),
});
export type BatchJob = z.infer<typeof BatchJob>;

/** What a batch job returns when it completes. */
export const BatchResult = z.object({ points: z.number().int().nonnegative() });
export type BatchResult = z.infer<typeof BatchResult>;

/** BullMQ forbids `:` in custom ids and all-digit ids; ours are `<ingestion>-b<index>`. */
export function batchJobId(ingestionId: string, batchIndex: number): string {
  return `${ingestionId}-b${batchIndex}`;
}

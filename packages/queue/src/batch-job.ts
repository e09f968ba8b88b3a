import { CollectionName } from "@hybrid/config";
import { CollectionModels } from "@hybrid/store";
import { z } from "zod";

/** A sparse vector as Qdrant takes it: parallel lists of token indices and weights. */
export const SparseVector = z
  .object({
    indices: z.array(z.number().int().nonnegative()),
    values: z.array(z.number()),
  })
  .refine((v) => v.indices.length === v.values.length, { message: "indices and values differ in length" });
export type SparseVector = z.infer<typeof SparseVector>;

/** Vectors a row brought with it: the worker stores them as they are instead of computing them. */
export const RowVectors = z.object({
  dense: z.array(z.number()).min(1),
  /** Absent: the worker computes the sparse vector from the text. */
  sparse: SparseVector.optional(),
});
export type RowVectors = z.infer<typeof RowVectors>;

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
  /** Pre-computed vectors (the request's `vectors`); the worker's models are not run for what is given. */
  vectors: RowVectors.optional(),
});
export type BatchRow = z.infer<typeof BatchRow>;

/** Payload of a child job on the `embed` queue: one batch of rows of one ingestion. */
export const BatchJob = z.object({
  v: z.literal(1),
  ingestionId: z.string().min(1),
  collection: CollectionName,
  batchIndex: z.number().int().nonnegative(),
  /** The models of the collection; workers refuse a batch whose models differ from their own. */
  models: CollectionModels,
  rows: z.array(BatchRow).min(1).max(4096),
});
export type BatchJob = z.infer<typeof BatchJob>;

/** What a batch job returns when it completes. */
export const BatchResult = z.object({ points: z.number().int().nonnegative() });
export type BatchResult = z.infer<typeof BatchResult>;

/** Source rows in a batch, as progress counts them: a chunked row counts once, with the batch holding its first chunk. */
export function countRows(rows: BatchRow[]): number {
  return rows.filter((row) => row.chunk === 0).length;
}

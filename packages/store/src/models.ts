import { z } from "zod";

/**
 * Who computes a collection's vectors: `client` (the workers), `mixed` (dense by the workers, BM25 by the store from
 * documents) or `server` (the store embeds both from documents).
 */
export const InferenceMode = z.enum(["client", "mixed", "server"]);
export type InferenceMode = z.infer<typeof InferenceMode>;

/**
 * The models a collection is built with: recorded in its metadata under `models`, carried by every batch job, compared
 * by the worker before it embeds and by the query API before it searches. The one schema of these fields.
 */
export const CollectionModels = z.object({
  dense: z.string().min(1),
  denseDim: z.number().int().positive(),
  sparse: z.string().min(1),
  /** Absent: `client` (collections and payloads from before the inference modes, or in client mode). */
  inference: InferenceMode.optional(),
});
export type CollectionModels = z.infer<typeof CollectionModels>;

/** Models to compare: a side without `denseDim` (a worker that loads no model) is not compared on it. */
export type ModelNames = Pick<CollectionModels, "dense" | "sparse"> & { denseDim?: number | undefined };

/**
 * The differences between the models something expects and those it found, one line each naming both values
 * (`dense model expected A, found B`); empty when they agree. The one comparison of model sets.
 */
export function compareModels(expected: ModelNames, found: ModelNames): string[] {
  const problems: string[] = [];
  if (
    expected.denseDim !== undefined &&
    found.denseDim !== undefined &&
    expected.denseDim !== found.denseDim
  ) {
    problems.push(
      `dense dimension expected ${expected.denseDim} (${expected.dense}), found ${found.denseDim}`,
    );
  }
  if (found.dense !== expected.dense)
    problems.push(`dense model expected ${expected.dense}, found ${found.dense}`);
  if (found.sparse !== expected.sparse)
    problems.push(`sparse model expected ${expected.sparse}, found ${found.sparse}`);
  return problems;
}

/** The pair's name for messages: `dense (384d) + sparse`. */
export function describeModels(models: ModelNames): string {
  return `${models.dense}${models.denseDim === undefined ? "" : ` (${models.denseDim}d)`} + ${models.sparse}`;
}

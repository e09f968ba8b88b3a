import { z } from "zod";
import type { RedisClient } from "../connection.js";
import { ingestionKeys } from "./ingestion-keys.js";
import { IngestionState } from "./ingestion-state.js";

/** A skipped row as kept in the `skipped` list (the first 100 of an ingestion). */
export const SkippedRow = z.object({ line: z.number(), reason: z.string(), message: z.string() });
export type SkippedRow = z.infer<typeof SkippedRow>;

/** A row that landed on the point of an earlier row of the same ingestion (Qdrant keeps the last write). */
export const Collision = z.object({ line: z.number(), earlierLine: z.number(), rowId: z.string() });
export type Collision = z.infer<typeof Collision>;

/** The read job's own counters, written as it reads. */
export const ReadCounts = z.object({
  rowsRead: z.number().int().nonnegative(),
  rowsSkipped: z.number().int().nonnegative(),
  /** Rows that landed on an earlier row's point. */
  rowsCollided: z.number().int().nonnegative(),
  /** Texts embedded: rows, or chunks when chunking is on. */
  chunks: z.number().int().nonnegative(),
  batchesQueued: z.number().int().nonnegative(),
  skippedBy: z.record(z.string(), z.number().int().nonnegative()),
});
export type ReadCounts = z.infer<typeof ReadCounts>;

/** A place in a source a read can start again from: a row group (0-based) and the rows the source has before it. */
export const ReadPosition = z.object({
  rowGroup: z.number().int().nonnegative(),
  row: z.number().int().nonnegative(),
});
export type ReadPosition = z.infer<typeof ReadPosition>;

/**
 * Written when every batch before `position` is queued: a re-run of the read starts there with these counts and
 * keeps the first `listed` entries of the skipped and collision lists.
 */
export const ReadCheckpoint = z.object({
  position: ReadPosition,
  counts: ReadCounts,
  listed: z.object({ skipped: z.number().int().nonnegative(), collisions: z.number().int().nonnegative() }),
});
export type ReadCheckpoint = z.infer<typeof ReadCheckpoint>;

const count = z.coerce.number().int().nonnegative().catch(0);
const optionalNumber = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : Number(v)))
  .pipe(z.number().optional().catch(undefined));
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .optional()
    .transform((text) => parseJson(text))
    .pipe(schema.optional().catch(undefined));

/** The progress hash's fields as stored (all strings), parsed into numbers, flags and JSON values. */
const ProgressHash = z.object({
  state: IngestionState.catch("queued"),
  collection: z.string().catch(""),
  /** The source as shown (URLs redacted), JSON. */
  source: json(z.record(z.string(), z.unknown())),
  /** The reader picked once reading started, JSON. */
  reader: json(z.record(z.string(), z.unknown())),
  /** The spooled upload, removed when the ingestion ends. */
  upload: z.string().optional(),
  createdAt: optionalNumber,
  startedAt: optionalNumber,
  readDoneAt: optionalNumber,
  finishedAt: optionalNumber,
  rowsTotal: optionalNumber,
  rowsRead: count,
  rowsSkipped: count,
  rowsCollided: count,
  rowsUpserted: count,
  rowsFailed: count,
  chunks: count,
  batchesQueued: count,
  batchesDone: count,
  batchesFailed: count,
  pointsUpserted: count,
  bytesRead: count,
  bytesTotal: optionalNumber,
  error: z.string().optional(),
  cancelRequested: z
    .string()
    .optional()
    .transform((v) => v === "1"),
  readPosition: json(ReadCheckpoint),
});

/** One ingestion's progress: the read job's counters, the workers' counters and the state, from one hash. */
export type IngestionProgress = z.infer<typeof ProgressHash> & {
  /** Skipped rows per reason. */
  skippedBy: Record<string, number>;
  /** The first skipped rows and collisions. */
  skipped: SkippedRow[];
  collisions: Collision[];
};

/** Reads an ingestion's progress; undefined when there is none (never created, or expired). */
export async function readProgress(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
): Promise<IngestionProgress | undefined> {
  const keys = ingestionKeys(prefix, ingestionId);
  const [hash, skipped, collisions] = await Promise.all([
    redis.hgetall(keys.hash),
    redis.lrange(keys.skipped, 0, -1),
    redis.lrange(keys.collisions, 0, -1),
  ]);
  return hash.state === undefined ? undefined : parseProgress(hash, skipped, collisions);
}

/** The progress from the hash and lists as stored; an unreadable entry shows with `-1` lines rather than failing the view. */
export function parseProgress(
  hash: Record<string, string>,
  skipped: string[],
  collisions: string[],
): IngestionProgress {
  const skippedBy: Record<string, number> = {};
  for (const [key, value] of Object.entries(hash)) {
    if (key.startsWith(SKIPPED_FIELD)) skippedBy[key.slice(SKIPPED_FIELD.length)] = count.parse(value);
  }
  return {
    ...ProgressHash.parse(hash),
    skippedBy,
    skipped: skipped.map((text) => SkippedEntry.parse(parseJson(text))),
    collisions: collisions.map((text) => CollisionEntry.parse(parseJson(text))),
  };
}

/** Prefix of the per-reason skip counters in the hash (`skipped.<reason>`). */
export const SKIPPED_FIELD = "skipped.";

const SkippedEntry = z
  .object({
    line: z.number().catch(-1),
    reason: z.string().catch("unknown"),
    message: z.string().catch(""),
  })
  .catch({ line: -1, reason: "unknown", message: "" });
const CollisionEntry = z
  .object({
    line: z.number().catch(-1),
    earlierLine: z.number().catch(-1),
    rowId: z.string().catch(""),
  })
  .catch({ line: -1, earlierLine: -1, rowId: "" });

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The dead-letter record: batch index -> last error of the batches recorded failed. Undefined when there is no
 * such ingestion.
 */
export async function readBatchFailures(
  redis: RedisClient,
  prefix: string,
  ingestionId: string,
): Promise<Map<number, string> | undefined> {
  const keys = ingestionKeys(prefix, ingestionId);
  const [state, failed] = await Promise.all([redis.hget(keys.hash, "state"), redis.hgetall(keys.failed)]);
  if (state === null) return undefined;
  return new Map(Object.entries(failed).map(([index, reason]) => [Number(index), reason]));
}

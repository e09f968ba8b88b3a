import { redactUrl, redactUrlsIn } from "@hybrid/logger";
import { type IngestionProgress, IngestionState, isTerminal } from "@hybrid/queue";
import { z } from "zod";

export const ReaderView = z
  .object({
    format: z.string(),
    detectedBy: z.enum(["request", "extension", "content"]),
    library: z.string(),
    compression: z.string().optional(),
    decompressor: z.string().optional(),
  })
  .meta({ id: "Reader" });

/** What `GET /v1/jobs/:id` answers. */
export const IngestionView = z
  .object({
    id: z.string(),
    collection: z.string(),
    state: IngestionState,
    /** True once the state is terminal (completed, failed, cancelled): nothing about the ingestion changes any more. */
    ended: z.boolean(),
    source: z.record(z.string(), z.unknown()),
    /** The reader picked once reading started: format, why (request, extension, content), library, compression. */
    reader: ReaderView.optional(),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    readDoneAt: z.string().optional(),
    finishedAt: z.string().optional(),
    /** `read` = `skipped` + `upserted` + `failed` + `pending`, always. */
    rows: z.object({
      read: z.number(),
      skipped: z.number(),
      /** In batches that completed (a chunked row counts with the batch of its first chunk). */
      upserted: z.number(),
      /** In batches that failed after their attempts. */
      failed: z.number(),
      /** Read, not in a processed batch yet; rows of a cancelled ingestion's removed batches stay here. */
      pending: z.number(),
      /** Known up front for inline rows and dataset slices. */
      total: z.number().optional(),
    }),
    skipped: z.object({
      byReason: z.record(z.string(), z.number()),
      /** The first skipped rows (up to 100) with line and reason. */
      first: z.array(z.object({ line: z.number(), reason: z.string(), message: z.string() })),
    }),
    /**
     * Rows that landed on the point of an earlier row of this ingestion (same id, e.g. `1`, `"1"` and `1.0`):
     * Qdrant keeps the last row written. The first 100 with both lines.
     */
    collisions: z.object({
      count: z.number(),
      first: z.array(z.object({ line: z.number(), earlierLine: z.number(), rowId: z.string() })),
    }),
    /** Texts embedded: rows, or chunks when chunking is on. */
    chunks: z.number(),
    batches: z.object({ queued: z.number(), done: z.number(), failed: z.number(), pending: z.number() }),
    /** Distinct points written: into a fresh collection, what it holds once the ingestion completed. */
    points: z.object({ upserted: z.number() }),
    bytes: z.object({ read: z.number(), total: z.number().optional() }),
    rate: z.object({ rowsPerSecond: z.number(), pointsPerSecond: z.number() }),
    /** Seconds until done at the current rate; absent while it cannot be estimated yet. */
    etaSeconds: z.number().optional(),
    error: z.string().optional(),
    cancelRequested: z.boolean(),
  })
  .meta({ id: "Ingestion" });
export type IngestionView = z.infer<typeof IngestionView>;

/** Builds the view from the ingestion's progress, with rates and an ETA. */
export function describeIngestion(id: string, progress: IngestionProgress, now: number): IngestionView {
  const p = progress;
  const terminal = isTerminal(p.state);
  const readDone = p.readDoneAt !== undefined;
  const queued = p.batchesQueued;
  const done = p.batchesDone;
  const failed = p.batchesFailed;
  const pending = terminal ? 0 : Math.max(0, queued - done - failed);
  const end = p.finishedAt ?? now;
  const seconds = p.startedAt ? Math.max((end - p.startedAt) / 1000, 0.001) : 0;
  const view: IngestionView = {
    id,
    collection: p.collection,
    state: p.state,
    ended: terminal,
    source: shownSource(p.source ?? {}),
    reader: parseReader(p.reader),
    createdAt: iso(p.createdAt) ?? new Date(0).toISOString(),
    startedAt: iso(p.startedAt),
    readDoneAt: iso(p.readDoneAt),
    finishedAt: iso(p.finishedAt),
    rows: {
      read: p.rowsRead,
      skipped: p.rowsSkipped,
      upserted: p.rowsUpserted,
      failed: p.rowsFailed,
      pending: Math.max(0, p.rowsRead - p.rowsSkipped - p.rowsUpserted - p.rowsFailed),
      total: p.rowsTotal,
    },
    skipped: { byReason: p.skippedBy, first: p.skipped },
    collisions: { count: p.rowsCollided, first: p.collisions },
    chunks: p.chunks,
    batches: { queued, done, failed, pending },
    points: { upserted: p.pointsUpserted },
    bytes: { read: p.bytesRead, total: p.bytesTotal },
    rate: {
      rowsPerSecond: round(seconds ? p.rowsRead / seconds : 0),
      pointsPerSecond: round(seconds ? p.pointsUpserted / seconds : 0),
    },
    etaSeconds: terminal ? 0 : estimate(p, { seconds, readDone }),
    error: p.error === undefined ? undefined : redactUrlsIn(p.error),
    cancelRequested: p.cancelRequested,
  };
  return IngestionView.parse(view);
}

/**
 * Batches left over the batch completion rate. The total number of batches is known once reading is done; before
 * that it is extrapolated from the share of the source read (bytes or rows), when that share is known.
 */
function estimate(p: IngestionProgress, at: { seconds: number; readDone: boolean }): number | undefined {
  if (p.batchesDone === 0 || at.seconds === 0) return undefined;
  let total = p.batchesQueued;
  if (!at.readDone) {
    const share = p.bytesTotal
      ? p.bytesRead / p.bytesTotal
      : p.rowsTotal
        ? p.rowsRead / p.rowsTotal
        : undefined;
    if (!share || share <= 0) return undefined;
    total = p.batchesQueued / Math.min(share, 1);
  }
  const left = Math.max(0, total - p.batchesDone - p.batchesFailed);
  return Math.round(left / (p.batchesDone / at.seconds));
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function parseReader(value: unknown): z.infer<typeof ReaderView> | undefined {
  const parsed = ReaderView.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Records written before URLs were stored redacted still show redacted. */
function shownSource(source: Record<string, unknown>): Record<string, unknown> {
  return typeof source.url === "string" ? { ...source, url: redactUrl(source.url) } : source;
}

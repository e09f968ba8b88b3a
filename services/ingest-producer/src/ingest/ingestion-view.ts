import { redactUrl, redactUrlsIn } from "@hybrid/logger";
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
    state: z.enum(["queued", "reading", "embedding", "completed", "failed", "cancelled"]),
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

/** Live counts of a running ingestion, from BullMQ's view of the finalize job's children. */
export interface LiveCounts {
  processed: number;
  ignored: number;
  unprocessed: number;
}

const num = (v: string | undefined) => (v === undefined || v === "" ? 0 : Number(v));
const optNum = (v: string | undefined) => (v === undefined || v === "" ? undefined : Number(v));
const iso = (v: string | undefined) => (v ? new Date(Number(v)).toISOString() : undefined);

/** Builds the view from the progress hash (and live counts while it runs), with rates and an ETA. */
export function describeIngestion(
  id: string,
  hash: Record<string, string>,
  skippedList: string[],
  collisionList: string[],
  live: LiveCounts | undefined,
  now: number,
): IngestionView {
  const state = IngestionView.shape.state.safeParse(hash.state);
  const queued = num(hash.batchesQueued);
  const readDone = hash.readDoneAt !== undefined;
  // Live counts include the read job while it is unprocessed or once it completed, and every earlier read of the
  // source (`readPasses`: the finalize job reads it again when a Redis failover lost batches).
  const readsProcessed = num(hash.readPasses ?? "1") - (readDone ? 0 : 1);
  const liveDone = live ? Math.max(0, live.processed - readsProcessed) : 0;
  const done = Math.max(num(hash.batchesDone), liveDone);
  const failed = Math.max(num(hash.batchesFailed), live?.ignored ?? 0);
  const terminal = ["completed", "failed", "cancelled"].includes(hash.state ?? "");
  const pending = terminal
    ? 0
    : live
      ? Math.max(0, live.unprocessed - (readDone ? 0 : 1))
      : Math.max(0, queued - done - failed);
  const started = optNum(hash.startedAt);
  const end = optNum(hash.finishedAt) ?? now;
  const seconds = started ? Math.max((end - started) / 1000, 0.001) : 0;
  const rowsRead = num(hash.rowsRead);
  const rowsSkipped = num(hash.rowsSkipped);
  const rowsUpserted = num(hash.rowsUpserted);
  const rowsFailed = num(hash.rowsFailed);
  const points = num(hash.pointsUpserted);
  const chunks = num(hash.chunks);
  const byReason: Record<string, number> = {};
  for (const [key, value] of Object.entries(hash)) {
    if (key.startsWith("skipped.")) byReason[key.slice("skipped.".length)] = Number(value);
  }
  const view: IngestionView = {
    id,
    collection: hash.collection ?? "",
    state: state.success ? state.data : "queued",
    source: shownSource(parseJson(hash.source)),
    reader: parseReader(hash.reader),
    createdAt: iso(hash.createdAt) ?? new Date(0).toISOString(),
    startedAt: iso(hash.startedAt),
    readDoneAt: iso(hash.readDoneAt),
    finishedAt: iso(hash.finishedAt),
    rows: {
      read: rowsRead,
      skipped: rowsSkipped,
      upserted: rowsUpserted,
      failed: rowsFailed,
      pending: Math.max(0, rowsRead - rowsSkipped - rowsUpserted - rowsFailed),
      total: optNum(hash.rowsTotal),
    },
    skipped: { byReason, first: skippedList.map(parseSkipped) },
    collisions: { count: num(hash.rowsCollided), first: collisionList.map(parseCollision) },
    chunks,
    batches: { queued, done, failed, pending },
    points: { upserted: points },
    bytes: { read: num(hash.bytesRead), total: optNum(hash.bytesTotal) },
    rate: {
      rowsPerSecond: round(seconds ? rowsRead / seconds : 0),
      pointsPerSecond: round(seconds ? points / seconds : 0),
    },
    etaSeconds: terminal ? 0 : estimate(hash, { queued, done, failed, seconds, readDone }),
    error: hash.error === undefined ? undefined : redactUrlsIn(hash.error),
    cancelRequested: hash.cancelRequested === "1",
  };
  return IngestionView.parse(view);
}

/**
 * Batches left over the batch completion rate. The total number of batches is known once reading is done; before
 * that it is extrapolated from the share of the source read (bytes or rows), when that share is known.
 */
function estimate(
  hash: Record<string, string>,
  p: { queued: number; done: number; failed: number; seconds: number; readDone: boolean },
): number | undefined {
  if (p.done === 0 || p.seconds === 0) return undefined;
  let total = p.queued;
  if (!p.readDone) {
    const bytesTotal = optNum(hash.bytesTotal);
    const rowsTotal = optNum(hash.rowsTotal);
    const share = bytesTotal
      ? num(hash.bytesRead) / bytesTotal
      : rowsTotal
        ? num(hash.rowsRead) / rowsTotal
        : undefined;
    if (!share || share <= 0) return undefined;
    total = p.queued / Math.min(share, 1);
  }
  const left = Math.max(0, total - p.done - p.failed);
  return Math.round(left / (p.done / p.seconds));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function parseJson(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = text ? JSON.parse(text) : {};
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function parseReader(text: string | undefined): z.infer<typeof ReaderView> | undefined {
  const parsed = ReaderView.safeParse(parseJson(text));
  return text && parsed.success ? parsed.data : undefined;
}

function parseCollision(text: string): { line: number; earlierLine: number; rowId: string } {
  const value = parseJson(text);
  return {
    line: typeof value.line === "number" ? value.line : -1,
    earlierLine: typeof value.earlierLine === "number" ? value.earlierLine : -1,
    rowId: typeof value.rowId === "string" ? value.rowId : "",
  };
}

function parseSkipped(text: string): { line: number; reason: string; message: string } {
  const value = parseJson(text);
  return {
    line: typeof value.line === "number" ? value.line : -1,
    reason: typeof value.reason === "string" ? value.reason : "unknown",
    message: typeof value.message === "string" ? value.message : "",
  };
}

/** Records written before URLs were stored redacted still show redacted. */
function shownSource(source: Record<string, unknown>): Record<string, unknown> {
  return typeof source.url === "string" ? { ...source, url: redactUrl(source.url) } : source;
}

import { randomBytes } from "node:crypto";
import { redactUrl } from "@hybrid/logger";
import {
  batchJobId,
  createIngestionProgress,
  FinalizeJob,
  finalizeJobId,
  finalizeJobOptions,
  INGEST_JOB,
  ingestChildOf,
  ingestionIndexKey,
  isTerminal,
  QUEUE,
  ReadJob,
  type ReadRequest,
  readBatchFailures,
  readJobId,
  readJobOptions,
  readProgress,
  requestCancel,
} from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { z } from "zod";
import { createRowMapper } from "../rows/map-row.js";
import { resolveDataFile } from "../sources/file-source.js";
import { parseSplit } from "../sources/hf-split.js";
import { checkUrlSource } from "../sources/url-source.js";
import { isUrlRef, vectorSetShape } from "../sources/vector-set-source.js";
import { confirmReplicated } from "./confirm-replicated.js";
import { INDEX_KEPT, type IngestDeps } from "./ingest-deps.js";
import { describeIngestion, type IngestionView } from "./ingestion-view.js";
import { removePendingBatches } from "./remove-pending.js";

/** Of a kept batch job's payload, only the lines of its rows. */
const BatchLines = z.object({ rows: z.array(z.object({ line: z.number() })).min(1) });

/** One failed batch in the dead-letter view. */
export interface BatchFailure {
  batchIndex: number;
  jobId: string;
  error: string;
  /** Source lines (or element indices) of its first and last row, while the failed job is still kept. */
  lines?: { first: number; last: number } | undefined;
  attemptsMade?: number | undefined;
  failedAt?: string | undefined;
}

/**
 * Validates what the schema cannot (template, file path, URL host, split slice), resolves the collection, records
 * the ingestion and creates its flow: a finalize job whose first child is the read job.
 */
export async function submitIngestion(deps: IngestDeps, request: ReadRequest): Promise<IngestionView> {
  createRowMapper(request, "check");
  const { source } = request;
  if (source.type === "file") await resolveDataFile(source.path, deps.sources.dataDirs);
  if (source.type === "url") await checkUrlSource(new URL(source.url), deps.sources.urlAllowHosts);
  if (source.type === "hf") parseSplit(source.split);
  if (request.vectors && request.chunking) {
    throw new AppError(
      "BAD_REQUEST",
      "pre-computed vectors belong to whole rows: chunking cannot be used with vectors",
      {
        details: { issues: [{ path: "body.chunking", message: "remove chunking or vectors" }] },
      },
    );
  }
  const { models } = await deps.resolveCollection(request.collection);
  if (source.type === "vectors") {
    // Checked before anything is queued: every row of a matrix of the wrong width would fail.
    const matrix = await vectorSetShape(source, deps.sources.dataDirs, {
      allowHosts: deps.sources.urlAllowHosts,
      maxBytes: deps.sources.urlMaxBytes,
    });
    if (matrix && matrix.cols !== models.denseDim) {
      throw new AppError(
        "BAD_REQUEST",
        `${redactUrl(source.dense ?? "")} has rows of ${matrix.cols} numbers; collection "${request.collection}" holds ` +
          `${models.dense} vectors of ${models.denseDim}`,
        { details: { path: "body.source.dense" } },
      );
    }
  }
  const maker = request.vectors?.model;
  if (maker && maker !== models.dense) {
    throw new AppError(
      "CONFLICT",
      `the vectors were made by "${maker}" but collection "${request.collection}" holds ${models.dense} vectors ` +
        `(${models.denseDim} dimensions), the model the query service embeds queries with`,
      { details: { path: "body.vectors.model" } },
    );
  }

  const id = newIngestionId();
  await createIngestionProgress(
    deps.redis,
    deps.prefix,
    id,
    {
      collection: request.collection,
      source: describeSource(request),
      createdAt: Date.now(),
      // The finalize job removes the spooled file once the ingestion has ended.
      upload: source.type === "upload" ? source.upload : undefined,
    },
    INDEX_KEPT,
  );
  const read = ReadJob.parse({
    v: 1,
    ingestionId: id,
    request,
    models,
    batchSize: request.batchSize ?? deps.limits.batchSize,
  });
  await deps.flows.add({
    name: INGEST_JOB.finalize,
    queueName: QUEUE.ingest,
    data: FinalizeJob.parse({ v: 1, ingestionId: id, collection: request.collection }),
    opts: { ...finalizeJobOptions(), jobId: finalizeJobId(id) },
    children: [
      {
        name: INGEST_JOB.read,
        queueName: QUEUE.ingest,
        data: read,
        opts: { ...readJobOptions(), jobId: readJobId(id) },
      },
    ],
  });
  await confirmReplicated(deps, id);
  deps.logger.info(
    { ingestionId: id, collection: request.collection, source: source.type },
    "ingestion queued",
  );
  return getIngestion(deps, id);
}

export async function getIngestion(deps: IngestDeps, id: string): Promise<IngestionView> {
  const progress = await readProgress(deps.redis, deps.prefix, id);
  if (!progress) throw new AppError("NOT_FOUND", `no ingestion "${id}"`);
  return describeIngestion(id, progress, Date.now());
}

/** The newest ingestions first (only those in `state` when given); ids whose progress has expired are dropped from the index. */
export async function listIngestions(
  deps: IngestDeps,
  { limit, state }: { limit: number; state?: IngestionView["state"] | undefined },
): Promise<IngestionView[]> {
  const index = ingestionIndexKey(deps.prefix);
  // Without a state filter one page of `limit` ids is enough; with one, read pages until `limit` views match.
  const page = state === undefined ? limit : Math.max(limit, 100);
  const views: IngestionView[] = [];
  let start = 0;
  while (views.length < limit) {
    const ids = await deps.redis.zrevrange(index, start, start + page - 1);
    for (const id of ids) {
      try {
        const view = await getIngestion(deps, id);
        start += 1;
        if (state === undefined || view.state === state) views.push(view);
      } catch (error) {
        // Removed from the index, so the next page starts where this id was.
        if (error instanceof AppError && error.code === "NOT_FOUND") await deps.redis.zrem(index, id);
        else throw error;
      }
      if (views.length === limit) break;
    }
    if (ids.length < page || state === undefined) break;
  }
  return views;
}

/**
 * Cancels an ingestion: reading stops at its next check, batches not started are removed, running ones finish;
 * the finalize job then records `cancelled`. CONFLICT when it has already finished.
 */
export async function cancelIngestion(deps: IngestDeps, id: string): Promise<IngestionView> {
  const state = await requestCancel(deps.redis, deps.prefix, id);
  if (!state) throw new AppError("NOT_FOUND", `no ingestion "${id}"`);
  if (isTerminal(state)) throw new AppError("CONFLICT", `ingestion "${id}" has already ${state}`);
  const read = await deps.ingestQueue.getJob(readJobId(id));
  if (read && ["waiting", "delayed", "prioritized"].includes(await read.getState())) {
    await read.remove().catch(() => undefined);
  }
  const parent = await deps.ingestQueue.getJob(finalizeJobId(id));
  if (parent) {
    const removed = await removePendingBatches(deps, parent);
    deps.logger.info({ ingestionId: id, removed }, "ingestion cancelled");
  }
  return getIngestion(deps, id);
}

/** The dead-letter view: batches that used all their attempts, with their last error. */
export async function listFailures(deps: IngestDeps, id: string): Promise<BatchFailure[]> {
  const reasons = await readBatchFailures(deps.redis, deps.prefix, id);
  if (!reasons) throw new AppError("NOT_FOUND", `no ingestion "${id}"`);
  const parent = await deps.ingestQueue.getJob(finalizeJobId(id));
  if (parent) {
    for (const [key, reason] of Object.entries(await parent.getIgnoredChildrenFailures())) {
      const child = ingestChildOf(key, deps.prefix);
      if (child?.kind === "batch" && child.ingestionId === id) reasons.set(child.batchIndex, reason);
    }
  }
  const failures: BatchFailure[] = [];
  for (const [batchIndex, error] of [...reasons].sort((a, b) => a[0] - b[0])) {
    const jobId = batchJobId(id, batchIndex);
    const job = await deps.embedQueue.getJob(jobId);
    const batch = BatchLines.safeParse(job?.data);
    const rows = batch.success ? batch.data.rows : undefined;
    failures.push({
      batchIndex,
      jobId,
      error,
      lines: rows ? { first: rows[0]?.line ?? 0, last: rows.at(-1)?.line ?? 0 } : undefined,
      attemptsMade: job?.attemptsMade,
      failedAt: job?.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    });
  }
  return failures;
}

/** `ing-<time base36>-<random hex>`: sortable, never all digits, no `:` (BullMQ forbids both in ids). */
export function newIngestionId(): string {
  return `ing-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

function describeSource(request: ReadRequest): string {
  const { source } = request;
  switch (source.type) {
    case "file":
      return JSON.stringify({ type: "file", path: source.path, format: source.format });
    case "url":
      return JSON.stringify({ type: "url", url: redactUrl(source.url), format: source.format });
    case "rows":
      return JSON.stringify({ type: "rows", count: source.rows.length });
    case "hf":
      return JSON.stringify({
        type: "hf",
        dataset: source.dataset,
        config: source.config,
        split: source.split,
        ...(source.via ? { via: source.via } : {}),
      });
    case "vectors":
      // Each file is a path or a URL; a URL's credentials and query are not kept.
      return JSON.stringify(
        Object.fromEntries(
          Object.entries(source).map(([key, value]) => [key, isUrlRef(value) ? redactUrl(value) : value]),
        ),
      );
    case "upload":
      return JSON.stringify({
        type: "upload",
        name: source.name,
        sha256: source.sha256,
        format: source.format,
      });
  }
}

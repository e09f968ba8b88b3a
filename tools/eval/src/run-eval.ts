import { basename } from "node:path";
import { type BeirDataset, readCorpus } from "./beir.js";
import { describeCollection } from "./collection-client.js";
import type { HttpJsonOptions } from "./http-json.js";
import { mapBounded } from "./map-bounded.js";
import { evaluateRun, randomExpectation, type ScoredDoc } from "./metrics.js";
import { EVAL_MODES, type SearchMode } from "./modes.js";
import { beirIngestRequest, createJob, type JobStatus, waitForJob } from "./producer-client.js";
import type { EvalReport, FailedSearch, ModeResult } from "./report.js";
import { search } from "./search-client.js";

/** What a run reports while it goes: the ingestion's progress, then one tick per query searched. */
export type EvalProgress =
  | { phase: "ingest"; documents: number; done: number; state: string }
  | { phase: "search"; total: number; done: number; mode: string };

export interface RunEvalOptions {
  dataset: BeirDataset;
  producerUrl: string;
  queryUrl: string;
  /** A collection that must not exist yet; the producer creates it. */
  collection: string;
  /** The corpus path as the producer must read it (inside one of its DATA_DIRS); default the dataset's own path. */
  corpusPath?: string;
  /** Models the stack was configured with; replaced by those the collection records, when it records them. */
  models: { dense: string; sparse: string };
  stack: EvalReport["stack"];
  /** Hits per search (Recall@100 needs 100). */
  limit?: number;
  /** Searches in flight at once. */
  concurrency?: number;
  modes?: readonly SearchMode[];
  http?: HttpJsonOptions;
  onProgress?: (progress: EvalProgress) => void;
}

/** Thrown when the system under test loses documents or fails the ingestion: figures would be meaningless. */
export class EvalRunError extends Error {
  override readonly name = "EvalRunError";
}

/**
 * Ingests the dataset's corpus through the producer API into `collection`, waits for the job, runs every judged
 * query through the query API in each mode and scores the runs. Writes nothing; see `writeReport`.
 */
export async function runEval(options: RunEvalOptions): Promise<EvalReport> {
  const { dataset } = options;
  const startedAt = new Date().toISOString();
  const limit = options.limit ?? 100;
  const modes = options.modes ?? EVAL_MODES;

  // The producer skips rows whose text is empty (as it should): they cannot be indexed, so they are not expected.
  let documents = 0;
  let empty = 0;
  for await (const row of readCorpus(dataset.corpusPath)) {
    documents += 1;
    if (`${row.title} ${row.text}`.trim() === "") empty += 1;
  }

  if (await describeCollection(options.queryUrl, options.collection, options.http)) {
    throw new EvalRunError(
      `collection ${options.collection} already exists: an evaluation needs a fresh one`,
    );
  }
  const ingestStart = performance.now();
  const body = beirIngestRequest(options.collection, options.corpusPath ?? dataset.corpusPath);
  const jobId = await createJob(options.producerUrl, body, options.http);
  const job = await waitForJob(options.producerUrl, jobId, {
    http: options.http,
    onStatus: (status) =>
      options.onProgress?.({
        phase: "ingest",
        documents: documents - empty,
        done: pointsOf(status),
        state: status.state,
      }),
  });
  const ingestSeconds = (performance.now() - ingestStart) / 1000;
  if (job.state !== "completed") {
    throw new EvalRunError(`ingestion job ${jobId} ended ${job.state}: ${JSON.stringify(job).slice(0, 800)}`);
  }
  const collection = await describeCollection(options.queryUrl, options.collection, options.http);
  const stored = collection?.pointsCount ?? 0;
  if (stored !== documents - empty) {
    throw new EvalRunError(
      `collection ${options.collection} holds ${stored} points for ${documents - empty} documents with text ` +
        `after job ${jobId}: ` +
        JSON.stringify(job).slice(0, 800),
    );
  }
  const models = collection?.models
    ? { dense: collection.models.dense, sparse: collection.models.sparse }
    : options.models;

  const judged = [...dataset.qrels.keys()].filter((qid) => dataset.queries.has(qid));
  const missingQueries = [...dataset.qrels.keys()].filter((qid) => !dataset.queries.has(qid));
  const qrels = new Map(judged.map((qid) => [qid, dataset.qrels.get(qid) ?? new Map<string, number>()]));
  const total = judged.length * modes.length;
  let done = 0;
  const searchStart = performance.now();
  const results: ModeResult[] = [];
  for (const mode of modes) {
    const modeStart = performance.now();
    // A failed search is recorded and the run goes on: one bad query should not cost the whole evaluation.
    const outcomes = await mapBounded(judged, options.concurrency ?? 4, async (qid) => {
      const request = { query: dataset.queries.get(qid) ?? "", collection: options.collection, limit };
      const outcome = await search(options.queryUrl, { ...request, ...mode.request }, options.http).then(
        (hits) => ({ hits }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      );
      done += 1;
      options.onProgress?.({ phase: "search", total, done, mode: mode.label });
      return outcome;
    });
    const run = new Map<string, ScoredDoc[]>();
    const failed: FailedSearch[] = [];
    for (const [i, qid] of judged.entries()) {
      const outcome = outcomes[i];
      if (outcome && "hits" in outcome) run.set(qid, outcome.hits);
      else failed.push({ queryId: qid, error: outcome?.error ?? "no outcome" });
    }
    // The means are over the queries that answered; the failed ones are listed instead of scored 0.
    const scored = evaluateRun(run, new Map([...qrels].filter(([qid]) => run.has(qid))));
    results.push({
      name: mode.name,
      label: mode.label,
      request: mode.request,
      metrics: scored.mean,
      queries: scored.queries,
      withoutResults: [...run.values()].filter((r) => r.length === 0).length,
      failed,
      seconds: round((performance.now() - modeStart) / 1000),
    });
  }
  const failedSearches = results.reduce((n, mode) => n + mode.failed.length, 0);
  if (failedSearches === total && total > 0) {
    throw new EvalRunError(
      `all ${total} searches failed, nothing to score; the first: ${results[0]?.failed[0]?.error}`,
    );
  }

  const evaluation = evaluateRun(new Map(), qrels);
  return {
    dataset: {
      name: basename(dataset.dir),
      dir: dataset.dir,
      documents,
      emptyDocuments: empty,
      queries: judged.length,
      judgments: [...qrels.values()].reduce((n, j) => n + j.size, 0),
      withoutRelevant: evaluation.withoutRelevant,
      missingQueries,
    },
    collection: options.collection,
    models,
    stack: options.stack,
    startedAt,
    ingestSeconds: round(ingestSeconds),
    searchSeconds: round((performance.now() - searchStart) / 1000),
    modes: results,
    searches: total,
    failedSearches,
    random: randomExpectation(qrels, documents),
  };
}

function pointsOf(status: JobStatus): number {
  return status.points?.upserted ?? 0;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}

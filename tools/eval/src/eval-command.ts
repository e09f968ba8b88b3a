import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { RunningStack, StackOptions } from "@hybrid/stack";
import { readBeirDataset } from "./beir.js";
import type { EvalArgs } from "./cli-args.js";
import { answers } from "./http-json.js";
import { deletePrefixedKeys } from "./redis-cleanup.js";
import { type EvalReport, renderMarkdownTable, type WrittenReport, writeReport } from "./report.js";
import { type EvalProgress, runEval } from "./run-eval.js";

export interface EvalCommandDeps {
  startStack: (options: StackOptions) => Promise<RunningStack>;
  /** The caller's environment: REDIS_URL, DENSE_MODEL, SPARSE_MODEL, API_KEY (bearer token for both APIs). */
  env: Record<string, string | undefined>;
  /** One line of commentary (not the progress bar). */
  note: (line: string) => void;
  onProgress?: (progress: EvalProgress) => void;
  /** Called with the stack's `stop` as soon as one is started, so a signal handler can stop it. */
  onStack?: (stop: () => Promise<void>) => void;
}

export interface EvalCommandResult {
  report: EvalReport;
  files: WrittenReport;
  table: string;
}

/**
 * `pnpm eval`: uses the stack at the given URLs when both answer, otherwise starts one (its own Qdrant local mode
 * and queue prefix, the dataset folder as the producer's DATA_DIRS, logs in `<out>/stack.log`), runs the
 * evaluation, writes the report, stops what it started and removes its queue keys from a shared Redis.
 */
export async function runEvalCommand(args: EvalArgs, deps: EvalCommandDeps): Promise<EvalCommandResult> {
  const dataset = await readBeirDataset(args.dataset);
  const models = {
    dense: deps.env.DENSE_MODEL || "sentence-transformers/all-MiniLM-L6-v2",
    sparse: deps.env.SPARSE_MODEL || "Qdrant/bm25",
  };
  const http = { apiKey: deps.env.API_KEY || undefined };
  await mkdir(args.out, { recursive: true });

  let stack: RunningStack | undefined;
  const queuePrefix = `eval-${process.pid}-${Date.now().toString(36)}`;
  let scratch: string | undefined;
  let log: ReturnType<typeof createWriteStream> | undefined;
  try {
    let urls = { producerUrl: args.producerUrl ?? "", queryUrl: args.queryUrl ?? "" };
    const external =
      args.producerUrl &&
      args.queryUrl &&
      (await answers(args.producerUrl)) &&
      (await answers(args.queryUrl));
    if (args.producerUrl && !external) deps.note("the given URLs do not answer: starting a stack of our own");
    if (!external) {
      scratch = await mkdtemp(join(tmpdir(), "hybrid-eval-"));
      const logPath = join(args.out, "stack.log");
      log = createWriteStream(logPath);
      const stream = log;
      deps.note(`starting the stack (${args.workers} embed workers); its logs go to ${logPath}`);
      stack = await deps.startStack({
        workers: args.workers,
        redisUrl: deps.env.REDIS_URL || "redis://127.0.0.1:6379",
        dataDir: scratch,
        ports: { query: 0, producer: 0, qdrant: 0, redis: 0 },
        color: false,
        // Everything is measured by the time it stops, and its data is scratch: no need to wait long for drains.
        stopTimeoutMs: 5_000,
        env: {
          DATA_DIRS: dirname(dataset.corpusPath),
          QUEUE_PREFIX: queuePrefix,
          LOG_LEVEL: deps.env.LOG_LEVEL || "warn",
          DENSE_MODEL: models.dense,
          SPARSE_MODEL: models.sparse,
        },
        onLine: (line) => stream.write(`${line}\n`),
      });
      deps.onStack?.(stack.stop);
      if (stack.missing.length > 0)
        throw new Error(`the stack lacks ${stack.missing.join(", ")}: cannot evaluate`);
      urls = { producerUrl: stack.producerUrl, queryUrl: stack.queryUrl };
    }
    const report = await runEval({
      dataset,
      ...urls,
      collection: args.collection,
      models,
      stack: stack ? "started" : "external",
      concurrency: args.concurrency,
      http,
      onProgress: deps.onProgress,
    });
    const files = await writeReport(report, args.out);
    return { report, files, table: renderMarkdownTable(report.modes, report.random) };
  } finally {
    await stack?.stop();
    // A shared Redis keeps our queues and progress hashes otherwise; a Redis of the stack's own went with it.
    if (stack?.redisSource === "external") {
      await deletePrefixedKeys(stack.redisUrl, queuePrefix).catch((error: Error) => {
        deps.note(`could not remove the keys ${queuePrefix}:* from ${stack?.redisUrl}: ${error.message}`);
      });
    }
    await new Promise<void>((done) => (log ? log.end(done) : done()));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

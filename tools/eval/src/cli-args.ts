import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";

export interface EvalArgs {
  /** BEIR folder, absolute. */
  dataset: string;
  /** Output folder, absolute. */
  out: string;
  producerUrl?: string;
  queryUrl?: string;
  collection: string;
  /** Searches in flight at once. */
  concurrency: number;
  /** Embed workers when the command starts its own stack. */
  workers: number;
}

/** Thrown for a bad command line; the message says what is wrong and shows the usage. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const USAGE = `usage: pnpm eval --dataset <dir> [--out <dir>] [--producer-url <url> --query-url <url>]
                 [--collection <name>] [--concurrency <n>] [--workers <n>]

  --dataset       BEIR folder: corpus.jsonl or corpus.jsonl.gz, queries.jsonl, qrels/test.tsv
  --out           where results.json, results.md and chart.svg go (default eval-out/<dataset name>)
  --producer-url  ingest producer of a running stack, e.g. http://127.0.0.1:8001
  --query-url     query API of a running stack, e.g. http://127.0.0.1:8000
                  (without both, or when they do not answer, the command starts its own stack)
  --collection    collection to create (default eval-<dataset>-<time>); must not exist yet
  --concurrency   searches in flight at once (default 4)
  --workers       embed workers of a stack the command starts (default 2)`;

/**
 * Parses the command line. Relative paths are taken from `cwd` (the folder `pnpm eval` was run in); the default
 * output folder is under `repoRoot`. `now` names the default collection.
 */
export function parseEvalArgs(argv: string[], cwd: string, repoRoot: string, now = new Date()): EvalArgs {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!values.dataset) throw new UsageError(`--dataset is required\n${USAGE}`);
  const dataset = resolve(cwd, values.dataset);
  const name = basename(dataset);
  if (Boolean(values["producer-url"]) !== Boolean(values["query-url"])) {
    throw new UsageError(`give both --producer-url and --query-url, or neither\n${USAGE}`);
  }
  for (const flag of ["producer-url", "query-url"] as const) {
    const url = values[flag];
    if (url && !/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--${flag} ${url}: not an http(s) URL`);
  }
  const collection = values.collection ?? defaultCollection(name, now);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(collection)) {
    throw new UsageError(`--collection ${collection}: 1-128 letters, digits, _ or - only`);
  }
  return {
    dataset,
    out: values.out ? resolve(cwd, values.out) : resolve(repoRoot, "eval-out", name),
    producerUrl: values["producer-url"]?.replace(/\/+$/, ""),
    queryUrl: values["query-url"]?.replace(/\/+$/, ""),
    collection,
    concurrency: positive("concurrency", values.concurrency, 4),
    workers: positive("workers", values.workers, 2),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv.filter((a) => a !== "--"),
    strict: true,
    allowPositionals: false,
    options: {
      dataset: { type: "string" },
      out: { type: "string" },
      "producer-url": { type: "string" },
      "query-url": { type: "string" },
      collection: { type: "string" },
      concurrency: { type: "string" },
      workers: { type: "string" },
    },
  });
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new UsageError(`--${flag} ${value}: a whole number from 1 to 256`);
  return n;
}

function defaultCollection(dataset: string, now: Date): string {
  const slug = dataset.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 60) || "dataset";
  const stamp = now
    .toISOString()
    .replace(/[-:TZ.]/g, "")
    .slice(0, 14);
  return `eval-${slug}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

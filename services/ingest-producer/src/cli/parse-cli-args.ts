import { statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { type CsvColumnType, type IngestSource, SourceFormat } from "@hybrid/queue";

export const USAGE = `usage: pnpm ingest <file | http(s)://url | hf:dataset[/config]:split> --collection NAME --text FIELD|TEMPLATE
  [--text FIELD ...]            several --text flags: fields joined with a newline
  [--id FIELD]                  field with stable row ids (default: derived from source and row number)
  [--batch-size N] [--format auto|jsonl|json|csv|tsv] [--include a,b] [--exclude c,d]
  [--delimiter ";"] [--column-type year:integer ...] [--encoding latin1]   CSV/TSV cells and file encoding
  [--chunk-tokens N] [--chunk-overlap N]   split long texts (words) into overlapping chunks
  [--hf-config NAME]            dataset config when the dataset name has no owner
  [--vector-field F] [--sparse-vector-field F] [--vector-model NAME]   rows carry pre-computed vectors
  [--hf-parquet]                read the split's Parquet files (row group by row group) instead of the rows API
  [--no-wait]                   print the job id and exit
  [--url http://127.0.0.1:8001] [--api-key KEY]   (env INGEST_URL, INGEST_API_KEY)
A file that exists here is uploaded to the producer (it need not be in its DATA_DIRS); any other path is read by the
producer from its DATA_DIRS.
examples:
  pnpm ingest ../shared/datasets/scifact/corpus.jsonl.gz --collection scifact --text "{title} {text}" --id _id
  pnpm ingest hf:BeIR/scifact/corpus:corpus[:5%] --collection scifact_hf --text title --text text --id _id`;

/** How the source is read: format, encoding and CSV settings, as flags gave them. */
export interface ReadOptions {
  format: SourceFormat;
  encoding?: string;
  delimiter?: string;
  /** `column:type,...` as `--column-type` flags gave them. */
  columnTypes?: string;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface CliOptions {
  /** The `POST /v1/jobs` body; without `source` when the file is uploaded. */
  body: Record<string, unknown>;
  /** A local file to stream to `POST /v1/jobs/upload`. */
  upload?: { path: string; read: ReadOptions } | undefined;
  url: string;
  apiKey?: string | undefined;
  wait: boolean;
}

/**
 * Turns command-line arguments into a `POST /v1/jobs` body and the client settings. A file that exists here
 * (resolved against `cwd`) is to be uploaded; any other path is sent as given, for the producer to resolve in its
 * data directories.
 */
export function parseCliArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): CliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      collection: { type: "string" },
      text: { type: "string", multiple: true },
      id: { type: "string" },
      "batch-size": { type: "string" },
      format: { type: "string" },
      delimiter: { type: "string" },
      "column-type": { type: "string", multiple: true },
      encoding: { type: "string" },
      include: { type: "string" },
      exclude: { type: "string" },
      "chunk-tokens": { type: "string" },
      "chunk-overlap": { type: "string" },
      "hf-config": { type: "string" },
      "hf-parquet": { type: "boolean" },
      "vector-field": { type: "string" },
      "sparse-vector-field": { type: "string" },
      "vector-model": { type: "string" },
      "no-wait": { type: "boolean" },
      url: { type: "string" },
      "api-key": { type: "string" },
    },
  });
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0)
    throw new UsageError("give exactly one source (file, URL or hf:dataset:split)");
  if (!values.collection) throw new UsageError("--collection is required");
  if (!values.text?.length) throw new UsageError("--text is required");
  const format = values.format ?? "auto";
  if (!SourceFormat.options.includes(format as SourceFormat))
    throw new UsageError(`--format must be one of ${SourceFormat.options.join(", ")}`);
  const read: ReadOptions = {
    format: format as SourceFormat,
    ...(values.encoding ? { encoding: values.encoding } : {}),
    ...(values.delimiter ? { delimiter: values.delimiter } : {}),
    ...(values["column-type"]?.length ? { columnTypes: values["column-type"].join(",") } : {}),
  };

  const local = localFile(target, cwd);
  const body: Record<string, unknown> = {
    collection: values.collection,
    ...(local ? {} : { source: parseSource(target, read, values["hf-config"], values["hf-parquet"]) }),
    text: values.text.length === 1 ? values.text[0] : values.text,
  };
  if (values.id) body.id = values.id;
  if (values["vector-field"]) {
    body.vectors = {
      dense: values["vector-field"],
      ...(values["sparse-vector-field"] ? { sparse: values["sparse-vector-field"] } : {}),
      ...(values["vector-model"] ? { model: values["vector-model"] } : {}),
    };
  } else if (values["sparse-vector-field"] || values["vector-model"]) {
    throw new UsageError("--sparse-vector-field and --vector-model need --vector-field");
  }
  if (values["batch-size"]) body.batchSize = toInt(values["batch-size"], "--batch-size");
  const list = (v: string | undefined) =>
    v
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (values.include || values.exclude) {
    body.payload = { include: list(values.include), exclude: list(values.exclude) };
  }
  if (values["chunk-tokens"] || values["chunk-overlap"]) {
    body.chunking = {
      ...(values["chunk-tokens"] ? { maxTokens: toInt(values["chunk-tokens"], "--chunk-tokens") } : {}),
      ...(values["chunk-overlap"] ? { overlap: toInt(values["chunk-overlap"], "--chunk-overlap") } : {}),
    };
  }
  return {
    body,
    url: (values.url ?? env.INGEST_URL ?? "http://127.0.0.1:8001").replace(/\/+$/, ""),
    apiKey: values["api-key"] ?? env.INGEST_API_KEY,
    wait: !values["no-wait"],
    upload: local ? { path: local, read } : undefined,
  };
}

/** The absolute path of `target` when it names a regular file here (not a URL or dataset). */
function localFile(target: string, cwd: string): string | undefined {
  if (target.startsWith("hf:") || /^https?:\/\//.test(target)) return undefined;
  const absolute = path.resolve(cwd, target);
  return statSync(absolute, { throwIfNoEntry: false })?.isFile() ? absolute : undefined;
}

/** `hf:owner/name:split`, `hf:owner/name/config:split`, `hf:name:split`; the split may carry a slice. */
export function parseSource(
  target: string,
  read: ReadOptions | string,
  hfConfig: string | undefined,
  hfParquet = false,
): IngestSource {
  if (target.startsWith("hf:")) {
    const match = /^hf:([^:]+):(.+)$/.exec(target);
    if (!match?.[1] || !match[2]) throw new UsageError(`expected hf:dataset[/config]:split, got "${target}"`);
    const parts = match[1].split("/");
    if (parts.length > 3) throw new UsageError(`too many "/" in "${match[1]}": use owner/name/config`);
    const dataset = parts.length === 3 ? `${parts[0]}/${parts[1]}` : match[1];
    const config = parts.length === 3 ? parts[2] : hfConfig;
    return {
      type: "hf",
      dataset,
      split: match[2],
      ...(config ? { config } : {}),
      ...(hfParquet ? { via: "parquet" as const } : {}),
    };
  }
  const options = typeof read === "string" ? { format: read as SourceFormat } : read;
  const csv = csvOf(options);
  const rest = {
    format: options.format,
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(csv ? { csv } : {}),
  } as Pick<Extract<IngestSource, { type: "file" }>, "format" | "encoding" | "csv">;
  if (/^https?:\/\//.test(target)) return { type: "url", url: target, ...rest };
  return { type: "file", path: target, ...rest };
}

/** The `csv` settings of a file or URL source; the producer checks the types named. */
function csvOf(read: ReadOptions): { delimiter?: string; types?: Record<string, CsvColumnType> } | undefined {
  if (!read.delimiter && !read.columnTypes) return undefined;
  const types: Record<string, CsvColumnType> = {};
  for (const entry of read.columnTypes?.split(",") ?? []) {
    const at = entry.lastIndexOf(":");
    if (at <= 0) throw new UsageError(`--column-type expects column:type, got "${entry}"`);
    types[entry.slice(0, at)] = entry.slice(at + 1) as CsvColumnType;
  }
  return {
    ...(read.delimiter ? { delimiter: read.delimiter } : {}),
    ...(Object.keys(types).length ? { types } : {}),
  };
}

function toInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got "${text}"`);
  return n;
}

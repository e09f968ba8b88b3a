import { statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { IngestSource } from "@hybrid/queue";

export const USAGE = `usage: pnpm ingest <file | http(s)://url | hf:dataset[/config]:split> --collection NAME --text FIELD|TEMPLATE
  [--text FIELD ...]            several --text flags: fields joined with a newline
  [--id FIELD]                  field with stable row ids (default: derived from source and row number)
  [--batch-size N] [--format auto|jsonl|json] [--include a,b] [--exclude c,d]
  [--chunk-tokens N] [--chunk-overlap N]   split long texts (words) into overlapping chunks
  [--hf-config NAME]            dataset config when the dataset name has no owner
  [--no-wait]                   print the job id and exit
  [--url http://127.0.0.1:8001] [--api-key KEY]   (env INGEST_URL, INGEST_API_KEY)
A file that exists here is uploaded to the producer (it need not be in its DATA_DIRS); any other path is read by the
producer from its DATA_DIRS.
examples:
  pnpm ingest ../shared/datasets/scifact/corpus.jsonl.gz --collection scifact --text "{title} {text}" --id _id
  pnpm ingest hf:BeIR/scifact/corpus:corpus[:5%] --collection scifact_hf --text title --text text --id _id`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface CliOptions {
  /** The `POST /v1/jobs` body; without `source` when the file is uploaded. */
  body: Record<string, unknown>;
  /** A local file to stream to `POST /v1/jobs/upload`. */
  upload?: { path: string; format: string } | undefined;
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
      include: { type: "string" },
      exclude: { type: "string" },
      "chunk-tokens": { type: "string" },
      "chunk-overlap": { type: "string" },
      "hf-config": { type: "string" },
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
  if (!["auto", "jsonl", "json"].includes(format))
    throw new UsageError("--format must be auto, jsonl or json");

  const local = localFile(target, cwd);
  const body: Record<string, unknown> = {
    collection: values.collection,
    ...(local ? {} : { source: parseSource(target, format, values["hf-config"]) }),
    text: values.text.length === 1 ? values.text[0] : values.text,
  };
  if (values.id) body.id = values.id;
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
    upload: local ? { path: local, format } : undefined,
  };
}

/** The absolute path of `target` when it names a regular file here (not a URL or dataset). */
function localFile(target: string, cwd: string): string | undefined {
  if (target.startsWith("hf:") || /^https?:\/\//.test(target)) return undefined;
  const absolute = path.resolve(cwd, target);
  return statSync(absolute, { throwIfNoEntry: false })?.isFile() ? absolute : undefined;
}

/** `hf:owner/name:split`, `hf:owner/name/config:split`, `hf:name:split`; the split may carry a slice. */
export function parseSource(target: string, format: string, hfConfig: string | undefined): IngestSource {
  if (target.startsWith("hf:")) {
    const match = /^hf:([^:]+):(.+)$/.exec(target);
    if (!match?.[1] || !match[2]) throw new UsageError(`expected hf:dataset[/config]:split, got "${target}"`);
    const parts = match[1].split("/");
    if (parts.length > 3) throw new UsageError(`too many "/" in "${match[1]}": use owner/name/config`);
    const dataset = parts.length === 3 ? `${parts[0]}/${parts[1]}` : match[1];
    const config = parts.length === 3 ? parts[2] : hfConfig;
    return { type: "hf", dataset, split: match[2], ...(config ? { config } : {}) };
  }
  const as = format as "auto" | "jsonl" | "json";
  if (/^https?:\/\//.test(target)) return { type: "url", url: target, format: as };
  return { type: "file", path: target, format: as };
}

function toInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be an integer, got "${text}"`);
  return n;
}

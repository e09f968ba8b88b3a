import type { CsvOptions, SourceFormat } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { readCsv } from "./csv-rows.js";
import { readJsonArray } from "./json-array.js";
import { readJsonLines } from "./json-lines.js";
import type { RawRecord } from "./raw-record.js";

export type DataFormat = SourceFormat;

export interface ReadOptions {
  maxRowBytes: number;
  /** The source as shown in errors (file path, redacted URL, upload name). */
  name?: string;
  csv?: CsvOptions | undefined;
}

/** The format a file name announces (`.csv.gz` is CSV), or `auto` when it announces none. */
export function formatFromName(name: string): DataFormat {
  const bare = name.toLowerCase().replace(/\.(gz|gzip|zst|zstd|bz2)$/, "");
  if (/\.(jsonl|ndjson)$/.test(bare)) return "jsonl";
  if (/\.csv$/.test(bare)) return "csv";
  if (/\.(tsv|tab)$/.test(bare)) return "tsv";
  if (/\.parquet$/.test(bare)) return "parquet";
  return "auto";
}

/**
 * Parses a byte stream as JSON Lines or a JSON array. `auto` looks at the first non-blank byte (after a BOM):
 * `[` means a JSON array, anything else JSON Lines. Bytes read while looking are replayed, nothing is lost.
 */
export async function* readRecords(
  chunks: AsyncIterable<Uint8Array>,
  format: DataFormat,
  options: ReadOptions,
): AsyncGenerator<RawRecord> {
  if (format === "jsonl") return yield* readJsonLines(chunks, options);
  if (format === "json") return yield* readJsonArray(chunks, options);
  if (format === "parquet") {
    throw new AppError(
      "BAD_REQUEST",
      `${options.name ?? "the source"} is Parquet, which cannot be read as a stream`,
      {
        retryable: false,
      },
    );
  }
  if (format === "csv" || format === "tsv") {
    const delimiter = format === "csv" ? "," : "\t";
    return yield* readCsv(chunks, { ...options, delimiter, name: options.name ?? "the source" });
  }
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let first: number | undefined;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    first = firstSignificantByte(next.value, seen.length === 1);
  }
  const replay = (async function* () {
    yield* seen;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
  const read = first === 0x5b ? readJsonArray : readJsonLines;
  yield* read(replay, options);
}

function firstSignificantByte(chunk: Uint8Array, atStart: boolean): number | undefined {
  let i = atStart && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  for (; i < chunk.length; i++) {
    const c = chunk[i] as number;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return undefined;
}

import type { CsvOptions, SourceEncoding } from "@hybrid/queue";
import { asUtf8 } from "./decode-text.js";
import { type Compression, DECOMPRESSOR, decompress, detectCompression } from "./decompress.js";
import { peekBytes } from "./peek-bytes.js";
import type { RawRecord, ReaderInfo } from "./raw-record.js";
import { type DataFormat, formatFromName, readRecords } from "./sniff-format.js";

/** Bytes looked at to tell the compression and the format (a CSV header longer than this still reads fine). */
const HEAD_BYTES = 64 * 1024;

export interface OpenRecordsOptions {
  /** What the request asked for; `auto` goes by `name`'s extension, then by the content. */
  format: DataFormat;
  /** File name, URL path or upload name: its extension names the format (`x.csv.gz`). */
  name: string;
  /** How the source is shown in errors. */
  shownAs: string;
  encoding?: SourceEncoding | undefined;
  csv?: CsvOptions | undefined;
  maxRowBytes: number;
}

const FORMAT_LIBRARY: Record<Exclude<DataFormat, "auto">, string> = {
  jsonl: "built-in JSON Lines splitter",
  json: "built-in JSON array scanner",
  csv: "csv-parse",
  tsv: "csv-parse",
  parquet: "hyparquet",
};

/**
 * Turns a byte stream into records: decompresses it when its first bytes say so (whatever its name), re-encodes it
 * as UTF-8 when an encoding is named, and picks the reader: the requested format, else the one the name's extension
 * names, else the one the content shows. Says which reader it picked and why, for the job view.
 */
export async function openRecords(
  chunks: AsyncIterable<Uint8Array>,
  options: OpenRecordsOptions,
): Promise<{ records: AsyncIterable<RawRecord>; reader: ReaderInfo }> {
  const raw = await peekBytes(chunks, 4);
  const compression: Compression | undefined = detectCompression(raw.head);
  const plain = compression ? decompress(raw.stream, compression, options.shownAs) : raw.stream;
  const text = asUtf8(plain, options.encoding);
  let format = options.format;
  let detectedBy: ReaderInfo["detectedBy"] = "request";
  let body = text;
  if (format === "auto") {
    format = formatFromName(options.name);
    detectedBy = "extension";
    if (format === "auto") {
      // The first line is enough, so a slow source is not kept waiting for a whole 64 KiB.
      const peeked = await peekBytes(text, HEAD_BYTES, hasFirstLine);
      format = formatFromContent(peeked.head);
      detectedBy = "content";
      body = peeked.stream;
    }
  }
  const reader: ReaderInfo = {
    format,
    detectedBy,
    library: FORMAT_LIBRARY[format],
    ...(compression ? { compression, decompressor: DECOMPRESSOR[compression] } : {}),
  };
  const records = readRecords(body, format, {
    maxRowBytes: options.maxRowBytes,
    name: options.shownAs,
    csv: options.csv,
  });
  return { records, reader };
}

function hasFirstLine(head: Buffer): boolean {
  const start = head.findIndex((c) => c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef);
  return start !== -1 && head.indexOf(0x0a, start) !== -1;
}

/**
 * The format of a text by its start: `[` opens a JSON array, `{` JSON Lines; otherwise a first line with tabs (more
 * tabs than commas) is TSV and one with commas CSV; anything else is read as JSON Lines (and skipped as such).
 */
export function formatFromContent(head: Buffer): Exclude<DataFormat, "auto"> {
  let text = head.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.trimStart()[0];
  if (first === "[") return "json";
  if (first === "{") return "jsonl";
  const line = text.trimStart().split(/\r?\n/, 1)[0] ?? "";
  const tabs = line.split("\t").length - 1;
  const commas = line.split(",").length - 1;
  if (tabs > 0 && tabs >= commas) return "tsv";
  if (commas > 0) return "csv";
  return "jsonl";
}

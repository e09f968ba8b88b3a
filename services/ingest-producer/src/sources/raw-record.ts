import { nestingDepth } from "@hybrid/config";
import { MAX_ROW_NESTING, type ReadPosition } from "@hybrid/queue";
/** Why a row was skipped; each is counted per ingestion and reported with the row's line. */
export type SkipReason =
  | "malformed_json"
  | "not_an_object"
  | "oversized_row"
  | "missing_text"
  | "empty_text"
  | "non_string_text"
  | "unknown_template_field"
  | "missing_id"
  | "invalid_id"
  | "too_deeply_nested"
  | "invalid_utf8"
  | "malformed_csv"
  | "invalid_value"
  | "invalid_vector";

/**
 * One row as a reader produced it: parsed (`value`) or already known bad (`skip`).
 * `line` is the 1-based line of a JSON Lines file, or the 0-based element index of a JSON array / dataset split.
 */
export type RawRecord =
  | { line: number; bytes: number; value: unknown }
  | { line: number; bytes: number; skip: SkipReason; message: string };

/** Which reader a source was read with, and why: shown in the job view and by the CLI. */
export interface ReaderInfo {
  /** `jsonl`, `json`, `csv`, `tsv`, or for sources that are not byte streams `rows` (inline) or `hf-rows`. */
  format: string;
  /** `request`: the request named it; `extension`: the name's extension; `content`: the first bytes. */
  detectedBy: "request" | "extension" | "content";
  /** What parses it (`csv-parse`, ...). */
  library: string;
  compression?: string;
  decompressor?: string;
}

/** A source opened for reading, with what is known of its size for progress and ETA. */
export interface OpenedSource {
  /** The reader picked for it. */
  reader: ReaderInfo;
  records: AsyncIterable<RawRecord>;
  /** Stable identity of the source, the base of derived row ids (`<key>#<line>`). */
  key: string;
  /** Bytes consumed so far and the total when known (files, URLs with a length). */
  bytes(): { read: number; total?: number | undefined };
  /** Rows in the source when known up front (inline rows, dataset slices). */
  rowsTotal?: number | undefined;
  /**
   * Sources read by row group (Parquet): `records` in groups, each with the position it starts at, so a read can
   * record where a re-run may start. `records` is their concatenation; read one or the other.
   */
  segments?: AsyncIterable<SourceSegment> | undefined;
  /** Where the source started when it was opened from a position (a re-run); undefined: at its start. */
  resumedFrom?: ReadPosition | undefined;
}

/** The records of one row group and where it starts. */
export interface SourceSegment {
  position: ReadPosition;
  records: AsyncIterable<RawRecord>;
}

/** The skip record of a row over `maxRowBytes`; `noun` says what the source calls a row (line, element, row). */
export function oversizedRecord(line: number, bytes: number, maxRowBytes: number, noun: string): RawRecord {
  return {
    line,
    bytes,
    skip: "oversized_row",
    message: `${noun} has ${bytes} bytes; the limit is ${maxRowBytes}`,
  };
}

/** A row that arrived already parsed (inline rows, dataset rows): kept, or skipped when its JSON is over the limit. */
export function parsedRecord(line: number, value: unknown, bytes: number, maxRowBytes: number): RawRecord {
  return bytes > maxRowBytes
    ? oversizedRecord(line, bytes, maxRowBytes, "row")
    : valueRecord(line, bytes, value);
}

/** A parsed row, or `too_deeply_nested` when it nests deeper than inline rows may (MAX_ROW_NESTING, one limit). */
export function valueRecord(line: number, bytes: number, value: unknown): RawRecord {
  if (nestingDepth(value, MAX_ROW_NESTING) <= MAX_ROW_NESTING) return { line, bytes, value };
  return {
    line,
    bytes,
    skip: "too_deeply_nested",
    message: `row nests objects and arrays more than ${MAX_ROW_NESTING} levels deep; the limit is ${MAX_ROW_NESTING}`,
  };
}

/**
 * The `invalid_utf8` skip of a row whose bytes are not UTF-8 (decoding would silently turn them into U+FFFD).
 * `noun` says what the source calls a row.
 */
export function invalidUtf8Record(line: number, bytes: number, noun: string): RawRecord {
  return {
    line,
    bytes,
    skip: "invalid_utf8",
    message: `${noun} is not valid UTF-8; if the source uses another encoding, name it in source.encoding (e.g. "latin1", "utf-16le")`,
  };
}

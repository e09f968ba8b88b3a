import type { ReadPosition } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { oversizedRecord, type RawRecord, type SourceSegment, valueRecord } from "./raw-record.js";

/** The four bytes a Parquet file starts and ends with. */
export const PARQUET_MAGIC = Buffer.from("PAR1");

export interface ParquetRowsOptions {
  /** Top-level columns to read; all when undefined. Columns the file lacks are left out. */
  columns?: string[] | undefined;
  /** Only rows `[rowStart, rowEnd)` of the file (default: all); row groups outside are not fetched. */
  rowStart?: number;
  rowEnd?: number;
  /** Added to each row's index in the file to make its `line` (a file that continues a split). */
  lineOffset?: number;
  /** The footer, when already read. */
  metadata?: FileMetaData;
  /** Start at this position (a re-run carrying on from a checkpoint) instead of the first row group. */
  from?: ReadPosition | undefined;
  maxRowBytes: number;
  /** How the source is shown in errors. */
  name: string;
}

/** An opened Parquet file: its row count up front and its rows, one row group decoded at a time. */
export interface ParquetRows {
  rowsTotal: number;
  rowGroups: number;
  /** The rows of every row group from where the read starts, each group with its position. */
  segments: AsyncIterable<SourceSegment>;
  /** The concatenation of the segments' records. */
  records: AsyncIterable<RawRecord>;
  /** Set when `from` was honoured (it names a row group of this file, with the same rows before it). */
  resumedFrom?: ReadPosition | undefined;
}

/**
 * Reads a Parquet file through hyparquet, row group by row group (memory holds one decoded row group of the
 * selected columns), reading only `columns` from storage. `line` is the 0-based row index in the file. Values are
 * made JSON-safe: 64-bit integers become numbers when exact and strings otherwise, dates ISO strings, binary base64;
 * nested structs and lists stay objects and arrays.
 */
export async function openParquetRows(file: AsyncBuffer, options: ParquetRowsOptions): Promise<ParquetRows> {
  const metadata = options.metadata ?? (await readParquetFooter(file, options.name));
  return readParquetParts([{ file, metadata, ...options }], options);
}

/** One file's share of a source: its rows `[rowStart, rowEnd)` and the offset that makes a row index a line. */
export interface ParquetPart {
  file: AsyncBuffer;
  metadata: FileMetaData;
  name: string;
  rowStart?: number;
  rowEnd?: number;
  lineOffset?: number;
}

/**
 * Several files read as one source (a dataset split's files, in order): the row groups holding rows to read are
 * numbered across the files, which is what a `ReadPosition` names.
 */
export function readParquetParts(
  parts: ParquetPart[],
  options: { columns?: string[] | undefined; maxRowBytes: number; from?: ReadPosition | undefined },
): ParquetRows {
  const groups: Group[] = [];
  let rowsTotal = 0;
  for (const part of parts) {
    const from = part.rowStart ?? 0;
    const to = part.rowEnd ?? Number(part.metadata.num_rows);
    let groupStart = 0;
    for (const group of part.metadata.row_groups) {
      const groupEnd = groupStart + Number(group.num_rows);
      const rowStart = Math.max(groupStart, from);
      const rowEnd = Math.min(groupEnd, to);
      groupStart = groupEnd;
      if (rowStart >= rowEnd) continue;
      groups.push({ part, rowStart, rowEnd, position: { rowGroup: groups.length, row: rowsTotal } });
      rowsTotal += rowEnd - rowStart;
    }
  }
  const end = { rowGroup: groups.length, row: rowsTotal };
  const start = options.from && (groups[options.from.rowGroup]?.position ?? end);
  // A checkpoint of another file (other row counts before the group) is not honoured: the read starts over.
  const resumedFrom = start && start.row === options.from?.row ? start : undefined;
  const segments = readSegments(groups.slice(resumedFrom?.rowGroup ?? 0), options);
  return {
    rowsTotal,
    rowGroups: groups.length,
    segments,
    records: (async function* () {
      for await (const segment of segments) yield* segment.records;
    })(),
    resumedFrom,
  };
}

/** The file's footer (schema, row groups); BAD_REQUEST naming `name` when it is not Parquet. */
export function readParquetFooter(file: AsyncBuffer, name: string): Promise<FileMetaData> {
  // The footer is small; hyparquet's default first fetch (the last 512 KiB) would read much of a small file.
  return parquetMetadataAsync(file, { initialFetchSize: 64 * 1024 }).catch((error: unknown) => {
    throw notParquet(name, error);
  });
}

interface Group {
  part: ParquetPart;
  rowStart: number;
  rowEnd: number;
  position: ReadPosition;
}

async function* readSegments(
  groups: Group[],
  options: { columns?: string[] | undefined; maxRowBytes: number },
): AsyncGenerator<SourceSegment> {
  const columnsOf = new Map<ParquetPart, string[] | undefined>();
  for (const group of groups) {
    const { part } = group;
    if (!columnsOf.has(part)) columnsOf.set(part, presentColumns(part.metadata, options.columns));
    const columns = columnsOf.get(part);
    const rows = await parquetReadObjects({
      file: part.file,
      metadata: part.metadata,
      rowStart: group.rowStart,
      rowEnd: group.rowEnd,
      compressors,
      ...(columns ? { columns } : {}),
    }).catch((error: unknown) => {
      throw notParquet(part.name, error, group.rowStart);
    });
    yield { position: group.position, records: toRecords(rows, group, options.maxRowBytes) };
  }
}

/** The asked columns the file has; undefined (all) when none were asked. */
function presentColumns(metadata: FileMetaData, columns: string[] | undefined): string[] | undefined {
  if (!columns) return undefined;
  const present = new Set(parquetSchema(metadata).children.map((child) => child.element.name));
  return columns.filter((column) => present.has(column));
}

async function* toRecords(
  rows: Record<string, unknown>[],
  group: Group,
  maxRowBytes: number,
): AsyncGenerator<RawRecord> {
  for (const [offset, row] of rows.entries()) {
    const line = (group.part.lineOffset ?? 0) + group.rowStart + offset;
    const value = jsonSafe(row);
    const checked = valueRecord(line, 0, value);
    if ("skip" in checked) {
      yield checked;
      continue;
    }
    const bytes = Buffer.byteLength(JSON.stringify(value));
    yield bytes > maxRowBytes ? oversizedRecord(line, bytes, maxRowBytes, "row") : { line, bytes, value };
  }
}

/** A value JSON can carry unchanged in meaning. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>, jsonSafe);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) out[key] = jsonSafe(field);
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

function notParquet(name: string, error: unknown, row?: number): AppError {
  if (error instanceof AppError) return error;
  const where = row === undefined ? "" : ` (row group starting at row ${row})`;
  return new AppError(
    "BAD_REQUEST",
    `${name} is not a readable Parquet file${where}: ${(error as Error).message}`,
    {
      retryable: false,
      cause: error,
    },
  );
}

import { AppError } from "@hybrid/service-kit";
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { oversizedRecord, type RawRecord, valueRecord } from "./raw-record.js";

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
  maxRowBytes: number;
  /** How the source is shown in errors. */
  name: string;
}

/** An opened Parquet file: its row count up front and its rows, one row group decoded at a time. */
export interface ParquetRows {
  rowsTotal: number;
  rowGroups: number;
  records: AsyncIterable<RawRecord>;
}

/**
 * Reads a Parquet file through hyparquet, row group by row group (memory holds one decoded row group of the
 * selected columns), reading only `columns` from storage. `line` is the 0-based row index in the file. Values are
 * made JSON-safe: 64-bit integers become numbers when exact and strings otherwise, dates ISO strings, binary base64;
 * nested structs and lists stay objects and arrays.
 */
export async function openParquetRows(file: AsyncBuffer, options: ParquetRowsOptions): Promise<ParquetRows> {
  // The footer is small; hyparquet's default first fetch (the last 512 KiB) would read much of a small file.
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: 64 * 1024 }).catch(
    (error: unknown) => {
      throw notParquet(options.name, error);
    },
  );
  const present = new Set(parquetSchema(metadata).children.map((child) => child.element.name));
  const columns = options.columns?.filter((column) => present.has(column));
  return {
    rowsTotal: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    records: readGroups(file, metadata, columns, options),
  };
}

/** The file's footer (schema, row groups); BAD_REQUEST naming `name` when it is not Parquet. */
export function readParquetFooter(file: AsyncBuffer, name: string): Promise<FileMetaData> {
  // The footer is small; hyparquet's default first fetch (the last 512 KiB) would read much of a small file.
  return parquetMetadataAsync(file, { initialFetchSize: 64 * 1024 }).catch((error: unknown) => {
    throw notParquet(name, error);
  });
}

async function* readGroups(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[] | undefined,
  options: ParquetRowsOptions,
): AsyncGenerator<RawRecord> {
  const from = options.rowStart ?? 0;
  const to = options.rowEnd ?? Number(metadata.num_rows);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    const rowStart = Math.max(groupStart, from);
    const rowEnd = Math.min(groupEnd, to);
    groupStart = groupEnd;
    if (rowStart >= rowEnd) continue;
    const rows = await parquetReadObjects({
      file,
      metadata,
      rowStart,
      rowEnd,
      compressors,
      ...(columns ? { columns } : {}),
    }).catch((error: unknown) => {
      throw notParquet(options.name, error, rowStart);
    });
    for (const [offset, row] of rows.entries()) {
      const line = (options.lineOffset ?? 0) + rowStart + offset;
      const value = jsonSafe(row);
      const checked = valueRecord(line, 0, value);
      if ("skip" in checked) {
        yield checked;
        continue;
      }
      const bytes = Buffer.byteLength(JSON.stringify(value));
      yield bytes > options.maxRowBytes
        ? oversizedRecord(line, bytes, options.maxRowBytes, "row")
        : { line, bytes, value };
    }
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

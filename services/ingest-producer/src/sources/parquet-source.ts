import { open } from "node:fs/promises";
import type { ReadPosition } from "@hybrid/queue";
import type { AsyncBuffer } from "hyparquet";
import { asyncBufferFromFile } from "hyparquet";
import { openParquetRows, PARQUET_MAGIC } from "./parquet-rows.js";
import type { OpenedSource, ReaderInfo } from "./raw-record.js";
import { type DataFormat, formatFromName } from "./sniff-format.js";

/**
 * Whether a file is to be read as Parquet: the request says so, or (`auto`) its name ends in `.parquet` or its
 * first bytes are `PAR1`. Says why, for the job view.
 */
export async function parquetFileDetection(
  absolute: string,
  format: DataFormat,
  name: string,
): Promise<ReaderInfo["detectedBy"] | undefined> {
  if (format === "parquet") return "request";
  if (format !== "auto") return undefined;
  if (formatFromName(name) === "parquet") return "extension";
  const handle = await open(absolute, "r");
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.equals(PARQUET_MAGIC) ? "content" : undefined;
  } finally {
    await handle.close();
  }
}

/** An AsyncBuffer over a local file that counts the bytes read, for progress. */
export async function countedFileBuffer(
  absolute: string,
): Promise<{ file: AsyncBuffer; read: () => number }> {
  const inner = await asyncBufferFromFile(absolute);
  let read = 0;
  return {
    file: {
      byteLength: inner.byteLength,
      slice(start, end) {
        read += (end ?? inner.byteLength) - start;
        return inner.slice(start, end);
      },
    },
    read: () => read,
  };
}

/** A Parquet file opened as a source: rows known up front, bytes counted as row groups are fetched. */
export async function openParquetSource(
  file: AsyncBuffer,
  options: {
    name: string;
    key: string;
    columns?: string[] | undefined;
    maxRowBytes: number;
    detectedBy: ReaderInfo["detectedBy"];
    read: () => number;
    /** Start at this row group (a re-run carrying on from a checkpoint). */
    from?: ReadPosition | undefined;
  },
): Promise<OpenedSource> {
  const rows = await openParquetRows(file, {
    columns: options.columns,
    maxRowBytes: options.maxRowBytes,
    name: options.name,
    from: options.from,
  });
  return {
    records: rows.records,
    segments: rows.segments,
    resumedFrom: rows.resumedFrom,
    reader: { format: "parquet", detectedBy: options.detectedBy, library: "hyparquet" },
    key: options.key,
    bytes: () => ({ read: options.read(), total: file.byteLength }),
    rowsTotal: rows.rowsTotal,
  };
}

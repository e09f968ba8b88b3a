import type { ReadPosition } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import type { AsyncBuffer, FileMetaData } from "hyparquet";
import { fetch } from "undici";
import { z } from "zod";
import { findConfig, getJson, type HfPolicy } from "./hf-source.js";
import { parseSplit, resolveSlice } from "./hf-split.js";
import { readParquetFooter, readParquetParts } from "./parquet-rows.js";
import type { OpenedSource } from "./raw-record.js";
import { httpRangeBuffer } from "./url-range-buffer.js";

const ParquetList = z.object({
  parquet_files: z.array(
    z.object({
      config: z.string(),
      split: z.string(),
      url: z.url(),
      filename: z.string().optional(),
      size: z.number().int().nonnegative(),
    }),
  ),
});

/**
 * Reads a dataset split (or a slice of it) from the Parquet files the datasets-server `/parquet` API lists, in
 * their order, row group by row group, fetching only the row groups of the slice and only `columns` (all when
 * undefined). Row `line`s are the split's row indices, as `/rows` gives them, so both readers derive the same ids.
 * The files are fetched with range requests (with the token, when set).
 */
export async function openHfParquetSource(
  source: { dataset: string; config?: string | undefined; split: string },
  policy: HfPolicy,
  signal?: AbortSignal,
  columns?: string[],
  from?: ReadPosition,
): Promise<OpenedSource> {
  const slice = parseSplit(source.split);
  const get = (path: string, params: Record<string, string | number>) =>
    getJson(policy, path, params, signal);
  const config = source.config ?? (await findConfig(source.dataset, slice.split, get));
  const parsed = ParquetList.safeParse(
    await get("/parquet", { dataset: source.dataset, config, split: slice.split }),
  );
  if (!parsed.success) {
    throw new AppError("UPSTREAM", "unexpected datasets-server /parquet answer", { retryable: false });
  }
  const listed = parsed.data.parquet_files.filter((f) => f.config === config && f.split === slice.split);
  if (listed.length === 0) {
    throw new AppError(
      "NOT_FOUND",
      `datasets-server lists no Parquet files for ${source.dataset}/${config}:${slice.split}`,
      {
        retryable: false,
      },
    );
  }
  let fetched = 0;
  const files: Array<{ name: string; buffer: AsyncBuffer; metadata: FileMetaData; first: number }> = [];
  let total = 0;
  for (const entry of listed) {
    const name = entry.filename ?? new URL(entry.url).pathname;
    const buffer = httpRangeBuffer(
      entry.size,
      (range) => getRange(entry.url, range, policy, signal),
      (bytes) => {
        fetched += bytes;
      },
    );
    const metadata = await readParquetFooter(buffer, name);
    files.push({ name, buffer, metadata, first: total });
    total += Number(metadata.num_rows);
  }
  const { start, end } = resolveSlice(slice, total);
  const rows = readParquetParts(
    files.map((file) => ({
      file: file.buffer,
      metadata: file.metadata,
      name: file.name,
      rowStart: Math.max(start - file.first, 0),
      rowEnd: Math.max(Math.min(end - file.first, Number(file.metadata.num_rows)), 0),
      lineOffset: file.first,
    })),
    { columns, maxRowBytes: policy.maxRowBytes, from },
  );
  const size = listed.reduce((sum, f) => sum + f.size, 0);
  return {
    records: rows.records,
    segments: rows.segments,
    resumedFrom: rows.resumedFrom,
    reader: {
      format: "parquet",
      detectedBy: "request",
      library: "hyparquet (datasets-server /parquet files)",
    },
    key: `hf:${source.dataset}/${config}:${slice.split}`,
    bytes: () => ({ read: fetched, total: size }),
    rowsTotal: end - start,
  };
}

/** One range of a listed Parquet file; redirects followed (to the CDN), the token sent to Hugging Face only. */
async function getRange(href: string, range: string, policy: HfPolicy, signal: AbortSignal | undefined) {
  const url = new URL(href);
  const response = await fetch(url, {
    headers: { range, ...(policy.token ? { authorization: `Bearer ${policy.token}` } : {}) },
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    throw new AppError(
      "UNAVAILABLE",
      `cannot fetch ${url.origin}${url.pathname}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  });
  return { response, url: new URL(response.url || href) };
}

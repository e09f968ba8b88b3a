import { AppError } from "@hybrid/service-kit";
import { z } from "zod";
import { needsTotal, parseSplit, resolveSlice } from "./hf-split.js";
import { type OpenedSource, parsedRecord, type RawRecord, valueRecord } from "./raw-record.js";

export interface HfPolicy {
  /** datasets-server base URL, e.g. `https://datasets-server.huggingface.co`. */
  baseUrl: string;
  token?: string | undefined;
  maxRowBytes: number;
  /** Rows per request; the rows API serves at most 100. */
  pageSize?: number;
  /** Tries per request on 429/5xx/network errors (default 4). */
  attempts?: number;
  /** First retry delay in ms, doubled each try (default 500). */
  retryDelayMs?: number;
}

const RowsPage = z.object({
  rows: z.array(
    z.object({ row_idx: z.number().int().nonnegative(), row: z.record(z.string(), z.unknown()) }),
  ),
  num_rows_total: z.number().int().nonnegative(),
});

const SplitsList = z.object({
  splits: z.array(z.object({ dataset: z.string(), config: z.string(), split: z.string() })),
});

/**
 * Reads a dataset split (or a slice of it) page by page from the datasets-server `/rows` API. Without a config,
 * the first config that has the split (from `/splits`) is used. Row ids derive from `row_idx`, so slices of one
 * split agree on ids.
 */
export async function openHfSource(
  source: { dataset: string; config?: string | undefined; split: string },
  policy: HfPolicy,
  signal?: AbortSignal,
): Promise<OpenedSource> {
  const slice = parseSplit(source.split);
  const get = (path: string, params: Record<string, string | number>) =>
    getJson(policy, path, params, signal);
  const config = source.config ?? (await findConfig(source.dataset, slice.split, get));
  const base = { dataset: source.dataset, config, split: slice.split };
  const pageSize = Math.min(policy.pageSize ?? 100, 100);

  let range: { start: number; end: number } | undefined;
  let firstPage: z.infer<typeof RowsPage> | undefined;
  if (needsTotal(slice)) {
    const probe = RowsPage.parse(await get("/rows", { ...base, offset: 0, length: 1 }));
    range = resolveSlice(slice, probe.num_rows_total);
  } else {
    const start = slice.start?.value ?? 0;
    firstPage = parsePage(await get("/rows", { ...base, offset: start, length: pageSize }));
    const total = firstPage.num_rows_total;
    const clamped = Math.min(start, total);
    range = { start: clamped, end: Math.max(clamped, Math.min(slice.end?.value ?? total, total)) };
  }
  const { start, end } = range;
  const attempts = policy.attempts ?? 4;
  /** Rows of `[offset, offset + length)`; an empty page before `end` is asked again, then fails the read. */
  const readPage = async (offset: number, length: number) => {
    let delay = policy.retryDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      const page =
        firstPage && offset === start
          ? firstPage
          : parsePage(await get("/rows", { ...base, offset, length }));
      firstPage = undefined;
      const rows = page.rows.filter((r) => r.row_idx >= offset && r.row_idx < offset + length);
      if (rows.length > 0) return rows;
      if (attempt >= attempts || signal?.aborted) {
        throw new AppError(
          "UPSTREAM",
          `datasets-server /rows answered no rows at offset ${offset} (${attempts} tries) although the ` +
            `slice ends at row ${end}; ${offset - start} of ${end - start} rows were read`,
          { retryable: false },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  };
  let read = 0;
  const records = (async function* (): AsyncGenerator<RawRecord> {
    // A page may hold fewer rows than asked (the server cuts large pages): go on from the rows received.
    for (let offset = start; offset < end; ) {
      const rows = await readPage(offset, Math.min(pageSize, end - offset));
      offset += rows.length;
      for (const { row_idx, row } of rows) {
        // Measured before JSON.stringify, which a pathologically nested row would make overflow the stack.
        const checked = valueRecord(row_idx, 0, row);
        if ("skip" in checked) {
          yield checked;
          continue;
        }
        const bytes = Buffer.byteLength(JSON.stringify(row));
        read += bytes;
        yield parsedRecord(row_idx, row, bytes, policy.maxRowBytes);
      }
    }
  })();
  return {
    records,
    reader: { format: "hf-rows", detectedBy: "request", library: "datasets-server /rows API" },
    key: `hf:${source.dataset}/${config}:${slice.split}`,
    bytes: () => ({ read }),
    rowsTotal: end - start,
  };
}

function parsePage(body: unknown): z.infer<typeof RowsPage> {
  const parsed = RowsPage.safeParse(body);
  if (!parsed.success) {
    throw new AppError(
      "UPSTREAM",
      `unexpected datasets-server /rows answer: ${parsed.error.issues[0]?.message}`,
      {
        retryable: false,
      },
    );
  }
  return parsed.data;
}

export async function findConfig(
  dataset: string,
  split: string,
  get: (path: string, params: Record<string, string>) => Promise<unknown>,
): Promise<string> {
  const parsed = SplitsList.safeParse(await get("/splits", { dataset }));
  if (!parsed.success)
    throw new AppError("UPSTREAM", "unexpected datasets-server /splits answer", { retryable: false });
  const match = parsed.data.splits.find((s) => s.split === split);
  if (!match) {
    const known = [...new Set(parsed.data.splits.map((s) => `${s.config}/${s.split}`))].join(", ");
    throw new AppError(
      "BAD_REQUEST",
      `dataset "${dataset}" has no split "${split}" (has: ${known || "none"})`,
      {
        retryable: false,
      },
    );
  }
  return match.config;
}

export async function getJson(
  policy: HfPolicy,
  path: string,
  params: Record<string, string | number>,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const url = new URL(`${policy.baseUrl.replace(/\/+$/, "")}${path}`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  const attempts = policy.attempts ?? 4;
  let delay = policy.retryDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    let failure: AppError;
    try {
      const response = await fetch(url, {
        headers: policy.token ? { authorization: `Bearer ${policy.token}` } : {},
        ...(signal ? { signal } : {}),
      });
      if (response.ok) return await response.json();
      const text = await response.text().catch(() => "");
      const retryable = response.status === 429 || response.status >= 500;
      failure = new AppError(
        response.status === 404 ? "NOT_FOUND" : "UPSTREAM",
        `datasets-server ${path} answered ${response.status}: ${text.slice(0, 300)}`,
        { retryable },
      );
    } catch (error) {
      failure = new AppError("UNAVAILABLE", `datasets-server ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!failure.retryable || attempt >= attempts || signal?.aborted) throw failure;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay *= 2;
  }
}

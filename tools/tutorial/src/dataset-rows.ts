import { z } from "zod";

/** A datasets-server split spec with an optional slice, as `datasets.load_dataset(split=...)` takes it. */
export interface SplitSlice {
  split: string;
  start: number;
  /** Exclusive end; undefined = to the end of the split. */
  end: number | undefined;
}

/** `train`, `train[0:100]`, `train[:100]`, `train[10:]`: what the tutorial passes to `load_dataset`. */
export function parseSplitSlice(spec: string): SplitSlice {
  const match = /^([A-Za-z0-9_.-]+)(?:\[(\d*):(\d*)\])?$/.exec(spec);
  if (!match) throw new Error(`split "${spec}": expected NAME or NAME[START:END], like train[0:100]`);
  const [, split, start, end] = match;
  const from = start ? Number(start) : 0;
  const to = end ? Number(end) : undefined;
  if (to !== undefined && to < from) throw new Error(`split "${spec}": END ${to} is before START ${from}`);
  return { split: split as string, start: from, end: to };
}

const SplitsAnswer = z.object({ splits: z.array(z.object({ config: z.string(), split: z.string() })) });
const RowsAnswer = z.object({
  rows: z.array(z.object({ row_idx: z.number().int(), row: z.record(z.string(), z.unknown()) })),
  num_rows_total: z.number().int(),
});

export interface DatasetRowsOptions {
  /** The datasets-server base URL (`https://datasets-server.huggingface.co`, or a local emulation). */
  baseUrl: string;
  dataset: string;
  /** `train[0:100]` and the like. */
  split: string;
  token?: string;
  fetch?: typeof fetch;
}

/** The rows of a dataset slice, in order, read from the datasets-server `/splits` and `/rows` APIs (100 per page). */
export async function fetchDatasetRows(options: DatasetRowsOptions): Promise<Array<Record<string, unknown>>> {
  const get = options.fetch ?? fetch;
  const call = async (path: string, params: Record<string, string>) => {
    const url = new URL(path, options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const response = await get(
      url,
      options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {},
    );
    if (!response.ok)
      throw new Error(`datasets-server ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as unknown;
  };
  const slice = parseSplitSlice(options.split);
  const splits = SplitsAnswer.parse(await call("splits", { dataset: options.dataset }));
  const config = splits.splits.find((s) => s.split === slice.split)?.config;
  if (!config) throw new Error(`dataset ${options.dataset} has no split "${slice.split}"`);
  const rows: Array<Record<string, unknown>> = [];
  let offset = slice.start;
  for (;;) {
    const want = slice.end === undefined ? 100 : Math.min(100, slice.end - offset);
    if (want <= 0) break;
    const page = RowsAnswer.parse(
      await call("rows", {
        dataset: options.dataset,
        config,
        split: slice.split,
        offset: String(offset),
        length: String(want),
      }),
    );
    if (page.rows.length === 0) break;
    for (const r of page.rows) rows.push(r.row);
    offset += page.rows.length;
    if (offset >= page.num_rows_total) break;
  }
  return rows;
}

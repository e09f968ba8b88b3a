import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parquetWriteBuffer } from "hyparquet-writer";

/** One recorded datasets-server answer shape, used for every page the fake server builds. */
export const FEATURES = [
  { feature_idx: 0, name: "_id", type: { dtype: "string", _type: "Value" } },
  { feature_idx: 1, name: "title", type: { dtype: "string", _type: "Value" } },
  { feature_idx: 2, name: "text", type: { dtype: "string", _type: "Value" } },
];

export interface HfServer {
  url: string;
  /** `path?query` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A local HTTP server answering `/splits` and `/rows` like the Hugging Face datasets-server does (same fields:
 * `features`, `rows[].row_idx/row/truncated_cells`, `num_rows_total`, `num_rows_per_page`, `partial`) for
 * dataset `test/docs`, config `corpus`, split `corpus` of `total` generated rows. `failFirst` answers 429 first;
 * `pageLimit` serves at most that many rows per page (as the real server does with large rows); rows from
 * `emptyFrom` on are never served (pages come back empty although `num_rows_total` says there are more);
 * `stallFrom` leaves every `/rows` request from that offset on unanswered (a stalled upstream).
 */
export async function startHfServer(options: {
  total: number;
  failFirst?: number;
  pageLimit?: number;
  emptyFrom?: number;
  stallFrom?: number;
  /** Rows per Parquet file of the split's `/parquet` export (summing to `total`), written in row groups of 40. */
  parquetFiles?: number[];
}): Promise<HfServer> {
  const requests: string[] = [];
  const files: Buffer[] = [];
  let first = 0;
  for (const rows of options.parquetFiles ?? []) {
    const docs = Array.from({ length: rows }, (_, i) => docRow(first + i));
    first += rows;
    const column = (name: "_id" | "title" | "text") => ({
      name,
      type: "STRING" as const,
      data: docs.map((d) => d[name]),
    });
    files.push(
      Buffer.from(
        parquetWriteBuffer({
          rowGroupSize: 40,
          columnData: [column("_id"), column("title"), column("text")],
        }),
      ),
    );
  }
  let failures = options.failFirst ?? 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (failures > 0) {
      failures -= 1;
      return send(429, { error: "Too Many Requests" });
    }
    if (url.pathname === "/splits" && url.searchParams.get("dataset") === "test/docs") {
      return send(200, {
        splits: [
          { dataset: "test/docs", config: "corpus", split: "corpus" },
          { dataset: "test/docs", config: "queries", split: "queries" },
        ],
        pending: [],
        failed: [],
      });
    }
    const file = /^\/files\/(\d+)\.parquet$/.exec(url.pathname);
    const bytes = file ? files[Number(file[1])] : undefined;
    if (bytes) {
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
      if (!range) return res.writeHead(200, { "content-length": bytes.length }).end(bytes);
      const [start, end] = [Number(range[1]), Number(range[2])];
      res.writeHead(206, { "content-range": `bytes ${start}-${end}/${bytes.length}` });
      return res.end(bytes.subarray(start, end + 1));
    }
    const ok = url.searchParams.get("dataset") === "test/docs" && url.searchParams.get("config") === "corpus";
    if (url.pathname === "/parquet" && ok && files.length) {
      const base = `http://${req.headers.host}`;
      return send(200, {
        parquet_files: files.map((f, i) => ({
          dataset: "test/docs",
          config: "corpus",
          split: "corpus",
          url: `${base}/files/${i}.parquet`,
          filename: `${String(i).padStart(4, "0")}.parquet`,
          size: f.length,
        })),
        pending: [],
        failed: [],
        partial: false,
      });
    }
    if (url.pathname !== "/rows" || !ok || url.searchParams.get("split") !== "corpus") {
      return send(404, { error: "The dataset does not exist, or is not accessible without authentication." });
    }
    const offset = Number(url.searchParams.get("offset") ?? 0);
    if (options.stallFrom !== undefined && offset >= options.stallFrom) return;
    const length = Number(url.searchParams.get("length") ?? 100);
    if (length > 100) return send(422, { error: "Parameter 'length' must not be greater than 100" });
    const rows = [];
    const stop = Math.min(
      offset + Math.min(length, options.pageLimit ?? length),
      options.total,
      options.emptyFrom ?? options.total,
    );
    for (let i = offset; i < stop; i++) {
      rows.push({ row_idx: i, row: docRow(i), truncated_cells: [] });
    }
    send(200, {
      features: FEATURES,
      rows,
      num_rows_total: options.total,
      num_rows_per_page: 100,
      partial: false,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Row `i` of the generated split (every 50th from the 7th has an empty text). */
function docRow(i: number): { _id: string; title: string; text: string } {
  return {
    _id: `doc${i}`,
    title: `Title ${i}`,
    text: i % 50 === 7 ? "" : `Body of document ${i}, which says a little more than one chunk holds.`,
  };
}

import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drain } from "../testing/records.js";
import { openFileSource } from "./file-source.js";
import { openUrlSource } from "./url-source.js";

const ROWS = 25;
let dir: string;
let server: Server;
let base: string;
const policy = { dataDirs: [] as string[], maxRowBytes: 100_000 };
const urlPolicy = { allowHosts: [] as string[], maxBytes: 10_000_000, maxRowBytes: 10_000 };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-parquet-"));
  policy.dataDirs = [dir];
  // Three row groups (10, 10, 5 rows); a wide "blob" column to show that unread columns are not fetched.
  parquetWriteFile({
    filename: path.join(dir, "rows.parquet"),
    rowGroupSize: 10,
    columnData: [
      { name: "id", type: "INT64", data: Array.from({ length: ROWS }, (_, i) => BigInt(i)) },
      { name: "big", type: "INT64", data: Array.from({ length: ROWS }, (_, i) => 2n ** 60n + BigInt(i)) },
      { name: "title", type: "STRING", data: Array.from({ length: ROWS }, (_, i) => `title ${i}`) },
      { name: "tags", data: Array.from({ length: ROWS }, (_, i) => [`t${i}`, "all"]) },
      {
        name: "meta",
        data: Array.from({ length: ROWS }, (_, i) => ({ n: i, inner: { even: i % 2 === 0 } })),
      },
      {
        name: "blob",
        type: "STRING",
        data: Array.from({ length: ROWS }, () => randomBytes(20_000).toString("hex")),
      },
    ],
  });
  await writeFile(path.join(dir, "no-extension"), await readFile(path.join(dir, "rows.parquet")));
  await writeFile(path.join(dir, "fake.parquet"), "PAR1 but nothing else");
  const bytes = await readFile(path.join(dir, "rows.parquet"));
  server = createServer((req, res) => {
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
    if (req.url === "/rows.parquet" && range) {
      const [start, end] = [Number(range[1]), Number(range[2])];
      res.writeHead(206, { "content-range": `bytes ${start}-${end}/${bytes.length}` });
      return res.end(bytes.subarray(start, end + 1));
    }
    res.writeHead(200, { "content-length": bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  urlPolicy.allowHosts = [base];
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe("Parquet sources (hyparquet)", () => {
  it("reads every row of every row group with JSON-safe values, nested columns as JSON", async () => {
    const opened = await openFileSource({ path: "rows.parquet", format: "auto" }, policy);
    expect(opened.reader).toEqual({ format: "parquet", detectedBy: "extension", library: "hyparquet" });
    expect(opened.rowsTotal).toBe(ROWS);
    const records = await drain(opened);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(records[12]).toMatchObject({
      value: {
        id: 12,
        big: (2n ** 60n + 12n).toString(),
        title: "title 12",
        tags: ["t12", "all"],
        meta: { n: 12, inner: { even: true } },
      },
    });
  });

  it("reads only the columns asked for, row group by row group", async () => {
    const opened = await openFileSource({ path: "rows.parquet", format: "auto" }, policy, [
      "title",
      "id",
      "gone",
    ]);
    const iterator = opened.records[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual({ line: 0, bytes: expect.any(Number), value: { id: 0, title: "title 0" } });
    const total = opened.bytes().total ?? 0;
    // The 1 MB blob column is never fetched, and only the first row group's columns so far.
    expect(opened.bytes().read).toBeLessThan(total / 10);
    let rows = 1;
    while (!(await iterator.next()).done) rows += 1;
    expect(rows).toBe(ROWS);
    expect(opened.bytes().read).toBeLessThan(total / 5);
  });

  it("tells Parquet by its first bytes when the name says nothing, and refuses a damaged file", async () => {
    const opened = await openFileSource({ path: "no-extension", format: "auto" }, policy, ["id"]);
    expect(opened.reader.detectedBy).toBe("content");
    expect(await drain(opened)).toHaveLength(ROWS);
    await expect(openFileSource({ path: "fake.parquet", format: "auto" }, policy)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/fake.parquet is not a readable Parquet file/),
    });
  });

  it("reads a Parquet URL with range requests, and names the need when the server ignores ranges", async () => {
    const opened = await openUrlSource(
      { url: `${base}/rows.parquet`, format: "auto" },
      urlPolicy,
      undefined,
      ["title"],
    );
    expect(opened.reader).toMatchObject({ format: "parquet", detectedBy: "extension" });
    const records = await drain(opened);
    expect(records).toHaveLength(ROWS);
    expect(records[24]).toMatchObject({ line: 24, value: { title: "title 24" } });
    expect(opened.bytes().read).toBeLessThan((opened.bytes().total ?? 0) / 5);
    // The footer is read on opening, so the open fails.
    await expect(openUrlSource({ url: `${base}/plain`, format: "parquet" }, urlPolicy)).rejects.toMatchObject(
      {
        code: "UPSTREAM",
        message: expect.stringMatching(/does not serve byte ranges/),
      },
    );
  });

  it("reads in row-group segments with their positions, and starts at the one a position names", async () => {
    const whole = await openFileSource({ path: "rows.parquet", format: "auto" }, policy, ["id"]);
    const positions: Array<{ rowGroup: number; row: number }> = [];
    for await (const segment of whole.segments ?? []) positions.push(segment.position);
    expect(positions).toEqual([
      { rowGroup: 0, row: 0 },
      { rowGroup: 1, row: 10 },
      { rowGroup: 2, row: 20 },
    ]);
    expect(whole.resumedFrom).toBeUndefined();

    const resumed = await openFileSource({ path: "rows.parquet", format: "auto" }, policy, ["id"], {
      rowGroup: 1,
      row: 10,
    });
    expect(resumed.resumedFrom).toEqual({ rowGroup: 1, row: 10 });
    const records = await drain(resumed);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 15 }, (_, i) => 10 + i));
    // Rows read since the start were taken from the first group; only the footer and two groups are fetched.
    expect(resumed.bytes().read).toBeLessThan(whole.bytes().total ?? 0);

    // A position whose row count does not match this file's is another file's: the read starts over.
    const other = await openFileSource({ path: "rows.parquet", format: "auto" }, policy, ["id"], {
      rowGroup: 1,
      row: 7,
    });
    expect(other.resumedFrom).toBeUndefined();
    expect(await drain(other)).toHaveLength(ROWS);
  });
});

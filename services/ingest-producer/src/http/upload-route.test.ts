import { readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIngestion } from "../ingest/ingestions.js";
import { createTestHarness, type TestHarness, waitFor } from "../testing/test-deps.js";
import { createProducerApp } from "./create-app.js";

const KEY = "upload-key";
let harness: TestHarness;
let app: ReturnType<typeof createProducerApp>;

beforeAll(() => {
  harness = createTestHarness({ sources: { uploadMaxBytes: 4096 } });
  harness.startProducer();
  harness.startEmbedStandIn();
  app = createProducerApp({ deps: harness.deps, apiKeys: [KEY], maxBodyBytes: 512, readiness: [] });
});
afterAll(() => harness.close());

const rows = Array.from({ length: 9 }, (_, i) => JSON.stringify({ k: `r${i}`, t: `row ${i}` })).join("\n");
/** The body as a stream of small chunks with no content-length, the way a CLI streams a file. */
function streamOf(bytes: Uint8Array, chunk = 100): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + chunk));
      at += chunk;
    },
  });
}
const upload = (
  query: string,
  body: RequestInit["body"] | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) =>
  app.request(`/v1/jobs/upload?${query}`, {
    method: "POST",
    body: body as RequestInit["body"],
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/octet-stream", ...headers },
    duplex: "half",
  } as RequestInit);
const spooled = async () => readdir(harness.deps.sources.uploadDir).catch(() => []);

describe("POST /v1/jobs/upload (real Redis and BullMQ; a test worker stands in for embed-worker)", () => {
  it("streams a gzipped file to a spool file, ingests it past MAX_BODY_BYTES, and removes the spool at the end", async () => {
    const res = await upload("collection=up&text=t&id=k&name=rows.jsonl.gz", streamOf(gzipSync(rows)));
    expect(res.status).toBe(202);
    const view = (await res.json()) as { id: string; source: Record<string, unknown> };
    expect(view.source).toMatchObject({ type: "upload", name: "rows.jsonl.gz" });
    const done = await waitFor(async () => {
      const now = await getIngestion(harness.deps, view.id);
      return now.state === "completed" ? now : undefined;
    });
    expect(done.rows).toMatchObject({ read: 9, skipped: 0 });
    expect(done.points.upserted).toBe(9);
    expect(await spooled()).toEqual([]);
  });

  it("ingests a gzipped semicolon CSV in latin1 with typed columns; skipped rows counted with their lines", async () => {
    const csv = 'k;t;n\nr1;"Zürich; CH";1\nr2;two;x\nr3;three\nr4;"four\nlines";4\n';
    const query =
      "collection=upcsv&text=t&id=k&name=rows.csv.gz&delimiter=%3B&columnTypes=n%3Ainteger&encoding=latin1";
    const res = await upload(query, streamOf(gzipSync(Buffer.from(csv, "latin1")), 7));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await waitFor(async () => {
      const now = await getIngestion(harness.deps, id);
      return now.state === "completed" ? now : undefined;
    });
    expect(done.rows).toMatchObject({ read: 4, skipped: 2, upserted: 2, failed: 0, pending: 0 });
    expect(done.skipped.byReason).toEqual({ invalid_value: 1, malformed_csv: 1 });
    expect(done.reader).toEqual({
      format: "csv",
      detectedBy: "extension",
      library: "csv-parse",
      compression: "gzip",
      decompressor: "node:zlib",
    });
    expect(done.skipped.first.map((s) => [s.line, s.reason])).toEqual([
      [3, "invalid_value"],
      [4, "malformed_csv"],
    ]);
    const bad = await upload("collection=c&text=t&columnTypes=n%3Adate", Buffer.from(csv));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/query.columnTypes/);
  });

  it("ingests an uploaded Parquet file of several row groups, reading only the columns it needs", async () => {
    const n = 12;
    const parquet = parquetWriteBuffer({
      rowGroupSize: 5,
      columnData: [
        { name: "k", type: "STRING", data: Array.from({ length: n }, (_, i) => `p${i}`) },
        {
          name: "t",
          type: "STRING",
          data: Array.from({ length: n }, (_, i) => (i === 3 ? "" : `text ${i}`)),
        },
        { name: "tags", data: Array.from({ length: n }, (_, i) => [i, i + 1]) },
        { name: "unused", type: "STRING", data: Array.from({ length: n }, () => "x") },
      ],
    });
    const res = await upload(
      "collection=uppq&text=t&id=k&include=tags&name=rows.parquet",
      Buffer.from(parquet),
    );
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await waitFor(async () => {
      const now = await getIngestion(harness.deps, id);
      return now.state === "completed" ? now : undefined;
    });
    expect(done.rows).toMatchObject({
      read: n,
      skipped: 1,
      upserted: n - 1,
      failed: 0,
      pending: 0,
      total: n,
    });
    expect(done.skipped.first).toEqual([{ line: 3, reason: "empty_text", message: expect.any(String) }]);
    expect(done.reader).toEqual({ format: "parquet", detectedBy: "extension", library: "hyparquet" });
  });

  it("refuses bad options with 400 naming the parameter, before reading the body", async () => {
    const res = await upload("collection=bad%20name&text=t&chunkTokens=2", streamOf(Buffer.from(rows)));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { details: { issues: Array<{ path: string }> } } };
    expect(error.details.issues.map((i) => i.path).sort()).toEqual(["query.chunkTokens", "query.collection"]);
    expect((await upload("collection=c&text={t", Buffer.from(rows))).status).toBe(400);
    expect((await upload("collection=c&text=t", new Uint8Array())).status).toBe(400);
    expect(await spooled()).toEqual([]);
  });

  it("answers 413 past UPLOAD_MAX_BYTES, announced or not, and leaves no partial spool", async () => {
    const big = Buffer.from(`${rows}\n`.repeat(20));
    expect((await upload("collection=c&text=t", big)).status).toBe(413);
    expect((await upload("collection=c&text=t", streamOf(big))).status).toBe(413);
    expect(await spooled()).toEqual([]);
  });

  it("answers 503 naming UPLOAD_DIR when the spool directory cannot be written, not a bare 500", async () => {
    const blocker = path.join(tmpdir(), `upload-blocker-${process.pid}`);
    await writeFile(blocker, "a file where a directory should be");
    try {
      const sources = { ...harness.deps.sources, uploadDir: path.join(blocker, "uploads") };
      const broken = createProducerApp({
        deps: { ...harness.deps, sources },
        apiKeys: [],
        maxBodyBytes: 512,
        readiness: [],
      });
      const res = await broken.request("/v1/jobs/upload?collection=c&text=t", {
        method: "POST",
        body: Buffer.from(rows),
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /ENOTDIR.*UPLOAD_DIR/,
      );
    } finally {
      await rm(blocker, { force: true });
    }
  });

  it("needs the API key, and is the only way to make an upload source", async () => {
    expect((await upload("collection=c&text=t", Buffer.from(rows), { authorization: "" })).status).toBe(401);
    const forged = await app.request("/v1/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        collection: "c",
        text: "t",
        source: { type: "upload", upload: "0".repeat(32), name: "x", sha256: "0".repeat(64), gzip: false },
      }),
    });
    expect(forged.status).toBe(400);
  });
});

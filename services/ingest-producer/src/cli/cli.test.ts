import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { serveHttp } from "@hybrid/service-kit";
import { runScript } from "@hybrid/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProducerApp } from "../http/create-app.js";
import type { IngestionView } from "../ingest/ingestion-view.js";
import { createTestHarness, type TestHarness } from "../testing/test-deps.js";
import { parseCliArgs } from "./parse-cli-args.js";
import { renderProgress, renderSummary } from "./render-progress.js";
import { uploadQuery } from "./upload-query.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, "../..");

describe("parseCliArgs", () => {
  it("builds a job body for a file, a URL and a Hugging Face split", () => {
    const file = parseCliArgs(
      [
        "package.json",
        "--collection",
        "c",
        "--text",
        "{a} {b}",
        "--id",
        "k",
        "--batch-size",
        "32",
        "--include",
        "a, b",
      ],
      {},
      packageRoot,
    );
    // A file that exists here is uploaded: the body has no source, the path goes to `upload`.
    expect(file.upload).toEqual({
      path: path.join(packageRoot, "package.json"),
      read: { format: "auto" },
    });
    expect(file.body).toEqual({
      collection: "c",
      text: "{a} {b}",
      id: "k",
      batchSize: 32,
      payload: { include: ["a", "b"], exclude: undefined },
    });
    expect(file).toMatchObject({ url: "http://127.0.0.1:8001", wait: true });
    const url = parseCliArgs(
      ["https://h/x.json", "--collection", "c", "--text", "t", "--text", "u", "--no-wait"],
      { INGEST_URL: "http://p:1/" },
      "/",
    );
    expect(url).toMatchObject({
      body: { source: { type: "url", url: "https://h/x.json" }, text: ["t", "u"] },
      url: "http://p:1",
      wait: false,
    });
    const hf = parseCliArgs(
      ["hf:BeIR/scifact/corpus:corpus[:5%]", "--collection", "c", "--text", "t"],
      {},
      "/",
    );
    expect(hf.body.source).toEqual({
      type: "hf",
      dataset: "BeIR/scifact",
      config: "corpus",
      split: "corpus[:5%]",
    });
    const plain = parseCliArgs(
      ["hf:imdb:train", "--collection", "c", "--text", "t", "--hf-config", "plain_text"],
      {},
      "/",
    );
    expect(plain.body.source).toEqual({ type: "hf", dataset: "imdb", config: "plain_text", split: "train" });
  });

  it("sends a path that does not exist here as a file source, and builds upload queries from the options", () => {
    const remote = parseCliArgs(["corpus.jsonl", "--collection", "c", "--text", "t"], {}, packageRoot);
    expect(remote.upload).toBeUndefined();
    expect(remote.body.source).toEqual({ type: "file", path: "corpus.jsonl", format: "auto" });
    const chunked = parseCliArgs(
      [
        "package.json",
        "--collection",
        "c",
        "--text",
        "a",
        "--text",
        "b",
        "--exclude",
        "x,y",
        "--chunk-tokens",
        "64",
      ],
      {},
      packageRoot,
    );
    expect(uploadQuery(chunked.body, "/d/package.json", { format: "auto" }).toString()).toBe(
      "collection=c&name=package.json&format=auto&text=a&text=b&exclude=x%2Cy&chunkTokens=64",
    );
  });

  it("passes CSV settings and the encoding to a remote file and to an upload", () => {
    const flags = ["--collection", "c", "--text", "t", "--format", "csv", "--delimiter", ";"];
    const typed = [
      ...flags,
      "--column-type",
      "year:integer",
      "--column-type",
      "tags:json",
      "--encoding",
      "latin1",
    ];
    const remote = parseCliArgs(["remote.csv", ...typed], {}, packageRoot);
    expect(remote.body.source).toEqual({
      type: "file",
      path: "remote.csv",
      format: "csv",
      encoding: "latin1",
      csv: { delimiter: ";", types: { year: "integer", tags: "json" } },
    });
    const local = parseCliArgs(["package.json", ...typed], {}, packageRoot);
    expect(uploadQuery(local.body, "/d/x.csv", local.upload?.read ?? { format: "auto" }).toString()).toBe(
      "collection=c&name=x.csv&format=csv&encoding=latin1&delimiter=%3B&columnTypes=year%3Ainteger%2Ctags%3Ajson&text=t",
    );
    const hf = parseCliArgs(
      ["hf:test/docs/corpus:corpus[:10]", "--collection", "c", "--text", "t", "--hf-parquet"],
      {},
      "/",
    );
    expect(hf.body.source).toEqual({
      type: "hf",
      dataset: "test/docs",
      config: "corpus",
      split: "corpus[:10]",
      via: "parquet",
    });
    expect(() => parseCliArgs(["x.csv", ...flags, "--format", "xml"], {}, "/")).toThrow(
      /--format must be one of/,
    );
    expect(() => parseCliArgs(["x.csv", ...flags, "--column-type", "year"], {}, "/")).toThrow(/column:type/);
  });

  it("explains what is missing", () => {
    expect(() => parseCliArgs(["x.jsonl", "--text", "t"], {}, "/")).toThrow(/--collection/);
    expect(() => parseCliArgs(["--collection", "c", "--text", "t"], {}, "/")).toThrow(/one source/);
    expect(() =>
      parseCliArgs(["x", "--collection", "c", "--text", "t", "--batch-size", "many"], {}, "/"),
    ).toThrow(/integer/);
  });
});

const view = (over: Partial<IngestionView>): IngestionView => ({
  id: "ing-1",
  collection: "c",
  state: "reading",
  ended: false,
  source: {},
  createdAt: "2026-01-01T00:00:00.000Z",
  startedAt: "2026-01-01T00:00:00.000Z",
  rows: { read: 500, skipped: 2, upserted: 256, failed: 0, pending: 242, total: 1000 },
  skipped: {
    byReason: { empty_text: 2 },
    first: [{ line: 7, reason: "empty_text", message: "text field is empty" }],
  },
  collisions: { count: 0, first: [] },
  chunks: 498,
  batches: { queued: 8, done: 4, failed: 0, pending: 4 },
  points: { upserted: 256 },
  bytes: { read: 0 },
  rate: { rowsPerSecond: 100, pointsPerSecond: 51.2 },
  etaSeconds: 75,
  cancelRequested: false,
  ...over,
});

describe("renderProgress / renderSummary", () => {
  it("shows share, rows, batches, rate and ETA", () => {
    const line = renderProgress(view({}), 10);
    expect(line).toContain("[###-------]  25%");
    expect(line).toContain("rows 500/1,000 (2 skipped)");
    expect(line).toContain("batches 4/8");
    expect(line).toContain("ETA 1:15");
  });

  it("summarises the outcome with skipped rows and failures", () => {
    const text = renderSummary(
      view({
        state: "failed",
        ended: true,
        finishedAt: "2026-01-01T00:01:05.000Z",
        error: "1 of 8 batches failed",
      }),
      [{ batchIndex: 3, error: "store down" }],
    );
    expect(text).toContain("ing-1: failed in 1:05");
    expect(text).toContain("line 7: empty_text");
    expect(text).toContain("batch 3 failed: store down");
  });
});

describe("pnpm ingest (a real CLI process against the API; a test worker stands in for embed-worker)", () => {
  let harness: TestHarness;
  let server: Awaited<ReturnType<typeof serveHttp>>;
  beforeAll(async () => {
    harness = createTestHarness({ sources: { dataDirs: [packageRoot] } });
    harness.startProducer();
    harness.startEmbedStandIn({ fail: (batch) => batch.collection === "fails" && batch.batchIndex === 0 });
    const app = createProducerApp({
      deps: harness.deps,
      apiKeys: ["k"],
      maxBodyBytes: 1 << 20,
      readiness: [],
      dashboard: false,
    });
    server = await serveHttp(app, { host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await harness.close();
  });

  const runCli = (args: string[]) =>
    runScript("src/cli.ts", [...args, "--url", `http://127.0.0.1:${server.port}`, "--api-key", "k"], {
      cwd: packageRoot,
      env: { ...process.env, INIT_CWD: packageRoot },
    });

  it("follows a job to completion and exits 0; exits 1 when a batch failed", async () => {
    // Both runs at once: each CLI process start costs seconds on a busy machine.
    const [ok, bad] = await Promise.all([
      runCli([
        "src/testing/fixtures/places.jsonl",
        "--collection",
        "works",
        "--text",
        "{name}. {description}",
        "--id",
        "id",
      ]),
      runCli([
        "src/testing/fixtures/places.jsonl",
        "--collection",
        "fails",
        "--text",
        "name",
        "--batch-size",
        "2",
      ]),
    ]);
    expect(ok.stderr).toContain("submitted ing-");
    expect(ok.stdout).toMatch(/completed in .* -> collection "works"/);
    expect(ok.stdout).toContain("rows read 6, skipped 2");
    expect(ok.stdout).toContain("unknown_template_field 1");
    expect(ok.code).toBe(0);
    expect(bad.stdout).toContain("batch 0 failed: store refused batch 0");
    expect(bad.code).toBe(1);
  }, 60_000);

  it("uploads a local file outside the producer's DATA_DIRS and follows it to completion", async () => {
    const outside = await mkdtemp(path.join(tmpdir(), "cli-upload-"));
    const file = path.join(outside, "places.jsonl.gz");
    await writeFile(file, gzipSync(await readFile(path.join(here, "../testing/fixtures/places.jsonl"))));
    try {
      const run = await runCli([
        file,
        "--collection",
        "uploaded",
        "--text",
        "{name}. {description}",
        "--id",
        "id",
      ]);
      expect(run.stderr).toContain(`uploading ${file}`);
      expect(run.stdout).toMatch(/completed in .* -> collection "uploaded"/);
      const reader =
        "read as jsonl by built-in JSON Lines splitter (gzip, node:zlib), format from the file name";
      expect(run.stderr).toContain(reader);
      expect(run.stdout).toContain(reader);
      expect(run.stdout).toContain("rows read 6, skipped 2");
      expect(run.code).toBe(0);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  }, 60_000);

  it("prints only the id with --no-wait, and exits 1 on a refused request", async () => {
    const [quick, refused] = await Promise.all([
      runCli(["src/testing/fixtures/places.jsonl", "--collection", "quick", "--text", "name", "--no-wait"]),
      runCli(["/nowhere/here.jsonl", "--collection", "x", "--text", "name"]),
    ]);
    expect(quick.stdout.trim()).toMatch(/^ing-[\w-]+$/);
    expect(quick.code).toBe(0);
    expect(refused.stderr).toMatch(/400 path is outside the allowed data directories/);
    expect(refused.code).toBe(1);
  }, 60_000);
});

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { type ReadSource, readJobId } from "@hybrid/queue";
import { parquetWriteFile } from "hyparquet-writer";
import { afterEach, describe, expect, it } from "vitest";
import { spoolUpload } from "../sources/upload-spool.js";
import { createTestHarness, REDIS_URL, type TestHarness, waitFor } from "../testing/test-deps.js";
import { getIngestion, submitIngestion } from "./ingestions.js";

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let harness: TestHarness | undefined;
const children: ChildProcess[] = [];

const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await harness?.close();
  harness = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Starts the real producer (`src/main.ts`) as a child process on the harness's queue prefix. */
function startProducer(prefix: string, dataDir: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: packageRoot,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      QDRANT_URL: "http://127.0.0.1:9",
      DENSE_MODEL: "sentence-transformers/all-MiniLM-L6-v2",
      MAX_PENDING_BATCHES: "5",
      INGEST_LOCK_MS: "1500",
      LOG_LEVEL: "error",
      DATA_DIRS: dataDir,
    },
  });
  children.push(child);
  return child;
}

/**
 * Two producer processes on one ingestion: the second starts while the first holds the read job's lock (five
 * batches pending), then the first dies mid-read. Then the embed stand-in runs; resolves once the ingestion
 * completed, with the batch indexes the stand-in saw.
 */
async function completeAcrossACrash(h: TestHarness, dataDir: string, id: string) {
  const first = startProducer(h.prefix, dataDir);
  await waitFor(async () => ((await h.deps.embedQueue.count()) === 5 ? true : undefined), 20_000);
  startProducer(h.prefix, dataDir);
  await new Promise((resolve) => setTimeout(resolve, 500));
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));
  const seen: number[] = [];
  h.startEmbedStandIn({ seen });
  const view = await waitFor(async () => {
    const v = await getIngestion(h.deps, id);
    return v.state === "completed" ? v : undefined;
  }, 30_000);
  return { view, seen };
}

describe("producer crash (real producer processes, SIGKILL; a test worker stands in for embed-worker)", () => {
  it.each(["inline rows", "an upload"] as const)(
    "another producer resumes the read job of %s and no batch is queued or processed twice",
    async (kind) => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "producer-crash-"));
      dirs.push(dataDir);
      // The child producers spool uploads under their first data dir; the harness reads the same place.
      const h = createTestHarness({
        limits: { batchSize: 1 },
        sources: { uploadDir: path.join(dataDir, ".uploads") },
      });
      harness = h;
      const rows = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, body: `row ${i}` }));
      let source: ReadSource = { type: "rows", rows };
      if (kind === "an upload") {
        const lines = Buffer.from(rows.map((r) => JSON.stringify(r)).join("\n"));
        const spooled = await spoolUpload(Readable.from([lines]), {
          dir: h.deps.sources.uploadDir,
          maxBytes: 1 << 20,
        });
        source = {
          type: "upload",
          upload: spooled.id,
          name: "rows.jsonl",
          sha256: spooled.sha256,
          gzip: false,
          format: "auto",
        };
      }
      const queued = await submitIngestion(h.deps, { collection: "c", source, text: "body", id: "id" });

      const { view, seen } = await completeAcrossACrash(h, dataDir, queued.id);
      expect(view.rows.read).toBe(20);
      expect(view.batches).toMatchObject({ queued: 20, done: 20, failed: 0 });
      expect(view.points.upserted).toBe(20);
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      // The spool was read again by the second producer, then removed when the ingestion ended.
      expect(await readdir(h.deps.sources.uploadDir).catch(() => [])).toEqual([]);
    },
    60_000,
  );

  it("a re-run of a Parquet read starts at the first row group not fully queued, and the counts add up", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "producer-crash-parquet-"));
    dirs.push(dataDir);
    // 20 row groups of 10 rows; batches of 4 rows close at each row group's end (4 + 4 + 2).
    const total = 200;
    parquetWriteFile({
      filename: path.join(dataDir, "rows.parquet"),
      rowGroupSize: 10,
      columnData: [
        { name: "id", type: "STRING", data: Array.from({ length: total }, (_, i) => `p${i}`) },
        { name: "body", type: "STRING", data: Array.from({ length: total }, (_, i) => `parquet row ${i}`) },
      ],
    });
    const h = createTestHarness({ limits: { batchSize: 4 }, sources: { dataDirs: [dataDir] } });
    harness = h;
    const queued = await submitIngestion(h.deps, {
      collection: "c",
      source: { type: "file", path: "rows.parquet", format: "auto" },
      text: "body",
      id: "id",
    });

    // Five batches pending (MAX_PENDING_BATCHES) when the first dies: row group 0's three and two of row group 1's.
    const { view, seen } = await completeAcrossACrash(h, dataDir, queued.id);
    expect(view.rows).toMatchObject({ read: total, skipped: 0, upserted: total, failed: 0, pending: 0 });
    expect(view.points.upserted).toBe(total);
    expect(view.batches).toMatchObject({ queued: 60, done: 60, failed: 0 });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // The second producer started at row group 1 (rows 10 on), not at row 0.
    const read = await h.deps.ingestQueue.getJob(readJobId(queued.id));
    expect(read?.returnvalue).toMatchObject({
      rowsRead: total,
      batchesQueued: 60,
      resumedFrom: { rowGroup: 1, row: 10 },
    });
  }, 60_000);
});

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createDenseEncoder, type DenseEncoder } from "@hybrid/embeddings";
import { writeTinyDenseModel } from "@hybrid/embeddings/test-models";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSplitSlice } from "./dataset-rows.js";
import { TUTORIAL } from "./tutorial.js";

// The tutorial command as a real child process, against a local emulation of the datasets-server serving rows shaped
// like miriad/miriad-4.4M and the local mode playing Qdrant Cloud: a tiny 384-d ONNX model (MiniLM's weights cannot
// be downloaded here) served by this project's encoder under MiniLM's Qdrant Cloud name; BM25 is Qdrant's own.

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const SPECIALTIES = ["Rheumatology", "Cardiology", "Oncology", "Neurology"];
const TOPICS = ["gout flares", "atrial fibrillation", "breast cancer screening", "migraine prophylaxis"];
/** 120 rows (the slice takes the first 100); row 37 is the one that answers the tutorial's question. */
const ROWS = Array.from({ length: 120 }, (_, i) => ({
  qa_id: `qa-${i}`,
  paper_id: `paper-${Math.floor(i / 3)}`,
  question: `What is known about ${TOPICS[i % 4]}?`,
  year: 2000 + (i % 20),
  venue: "Journal of Medicine",
  specialty: SPECIALTIES[i % 4],
  passage_text:
    i === 37
      ? "Relapsing polychondritis is a rare autoimmune disease with recurrent inflammation of cartilage of the ear and nose."
      : `A study of ${TOPICS[i % 4]} in ${SPECIALTIES[i % 4]} patients, cohort ${i}, with outcomes over ten years.`,
}));

let rowsServer: Server;
let rowsUrl: string;
const requests: string[] = [];
let qdrant: QdrantLocal;
let encoder: DenseEncoder;
let root: string;

beforeAll(async () => {
  rowsServer = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.searchParams.get("dataset") !== TUTORIAL.dataset) return send(404, { error: "no such dataset" });
    if (url.pathname === "/splits")
      return send(200, { splits: [{ dataset: TUTORIAL.dataset, config: "default", split: "train" }] });
    const offset = Number(url.searchParams.get("offset"));
    const length = Number(url.searchParams.get("length"));
    if (url.pathname !== "/rows" || url.searchParams.get("config") !== "default" || length > 100)
      return send(422, { error: "bad rows request" });
    const rows = ROWS.slice(offset, offset + length).map((row, k) => ({
      row_idx: offset + k,
      row,
      truncated_cells: [],
    }));
    return send(200, { rows, num_rows_total: ROWS.length, num_rows_per_page: 100, partial: false });
  });
  await new Promise<void>((resolve) => rowsServer.listen(0, "127.0.0.1", resolve));
  rowsUrl = `http://127.0.0.1:${(rowsServer.address() as AddressInfo).port}`;
  root = await mkdtemp(join(tmpdir(), "tutorial-"));
  const words = [...new Set(ROWS.flatMap((r) => r.passage_text.toLowerCase().match(/[a-z]+/g) ?? []))];
  const model = await writeTinyDenseModel(join(root, "tiny"), {
    words: [...words, "what", "is"],
    dim: 384,
    output: "token",
  });
  encoder = await createDenseEncoder({ model: model.dir, cacheDir: root, onnxThreads: 1 });
  qdrant = await startQdrantLocal({
    port: 0,
    inference: { dense: new Map([[TUTORIAL.denseModel, encoder]]) },
  });
});

afterAll(async () => {
  await qdrant?.close();
  await encoder?.close();
  await new Promise<void>((resolve) => rowsServer?.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

describe("pnpm tutorial:inference", () => {
  it("does what the tutorial does: collection, 100 rows in upserts of 8, the RRF of two document prefetches", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", MAIN], {
      env: { ...process.env, QDRANT_URL: qdrant.url, HF_DATASETS_URL: rowsUrl },
    });
    expect(stdout).toContain(`upserted 100 rows of ${TUTORIAL.dataset} (train[0:100]) in 13 batches`);
    // The slice is read as one page of 100 rows from the split's config.
    expect(requests).toEqual([
      `/splits?dataset=${encodeURIComponent(TUTORIAL.dataset)}`,
      `/rows?dataset=${encodeURIComponent(TUTORIAL.dataset)}&config=default&split=train&offset=0&length=100`,
    ]);

    const client = new QdrantClient({ url: qdrant.url });
    const info = await client.getCollection(TUTORIAL.collection);
    expect(info.points_count).toBe(100);
    expect(info.config.params.vectors).toEqual({ dense_vector: { size: 384, distance: "Cosine" } });
    expect(info.config.params.sparse_vectors).toEqual({ bm25_sparse_vector: { modifier: "idf" } });
    const [point] = await client.retrieve(TUTORIAL.collection, { ids: [37], with_payload: true });
    expect(point?.payload).toEqual(ROWS[37]);

    // The answer: RRF of two prefetches of 5, so at most 10 points, the polychondritis passage first.
    const lines = stdout.trim().split("\n");
    const hits = lines.slice(lines.indexOf(TUTORIAL.query) + 1);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(10);
    expect(hits[0]).toMatch(/qa-37\s+Relapsing polychondritis is a rare autoimmune disease/);
  });

  it("fails with a clear message when the dataset has no such split", async () => {
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", MAIN, "--split", "test[0:10]"], {
      env: { ...process.env, QDRANT_URL: qdrant.url, HF_DATASETS_URL: rowsUrl },
    });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('has no split "test"'),
    });
  });
});

describe("parseSplitSlice", () => {
  it("reads load_dataset's slice syntax", () => {
    expect(parseSplitSlice("train[0:100]")).toEqual({ split: "train", start: 0, end: 100 });
    expect(parseSplitSlice("train")).toEqual({ split: "train", start: 0, end: undefined });
    expect(parseSplitSlice("train[10:]")).toEqual({ split: "train", start: 10, end: undefined });
    expect(() => parseSplitSlice("train[5:2]")).toThrow(/END 2 is before START 5/);
    expect(() => parseSplitSlice("train[a:b]")).toThrow(/expected NAME or NAME\[START:END\]/);
  });
});

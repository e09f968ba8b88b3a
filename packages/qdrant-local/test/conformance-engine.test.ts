import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, createBasicCollection, openBackend } from "./backend.js";

// Disagreements the differential test (test/differential.test.ts) found between the local mode and Qdrant's engine
// (qdrant-edge-py 0.9.0), each fixed in the local mode and kept here as a named case. Runs against a real Qdrant too.

let backend: Backend;
let name: string;

beforeAll(async () => {
  backend = await openBackend();
  name = backend.name("engine_cases");
  await createBasicCollection(backend, name);
});

afterAll(async () => {
  await backend.raw("DELETE", `/collections/${name}`);
  await backend.close();
});

describe("cases found by the differential test", () => {
  it("a query without `query` lists points by id with score 1 (a scroll inside the query API)", async () => {
    const res = await backend.raw("POST", `/collections/${name}/points/query`, {
      limit: 3,
      filter: { must: [{ has_id: [2, 1, 5] }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.result.points.map((p: { id: number; score: number }) => [p.id, p.score])).toEqual([
      [1, 1],
      [2, 1],
      [5, 1],
    ]);
  });

  it("rescoring by a sparse vector drops prefetched points that share no index with it", async () => {
    // The prefetch yields every point; only 9 (indices 66, 12) shares an index with the query, as in a sparse search.
    const { points } = await backend.client.query(name, {
      prefetch: [{ limit: 20 }],
      query: { indices: [12, 500], values: [1, 1] },
      using: "sparse-text",
      limit: 10,
    });
    expect(points.map((p) => [p.id, p.score])).toEqual([[9, 0.5]]);
  });

  it("a rescoring query does not filter by its own filter again: it only reaches the leaves, merged", async () => {
    // Root should [city London] merged with the prefetch's should [price 9.5] is one OR in the leaf, so point 3
    // (Berlin/Moscow, 9.5) enters and stays, although the root filter alone refuses it.
    const { points } = await backend.client.query(name, {
      prefetch: [
        {
          query: [1, 1, 1, 1],
          limit: 10,
          filter: { should: [{ key: "price", range: { gte: 9.5, lte: 9.5 } }] },
        },
      ],
      query: [0.1, 0.2, 0.3, 0.4],
      filter: { should: [{ key: "city", match: { value: "London" } }] },
      limit: 10,
    });
    expect(points.map((p) => p.id).sort()).toEqual([2, 3, 4]);
  });

  it("RRF rounds each step to f32, so two top hits at k = 1, weight 1.5 sum to 2.9999998 (below a threshold of 3)", async () => {
    const prefetch = { query: [0.1, 0.2, 0.3, 0.4], limit: 1 };
    const fused = (threshold?: number) =>
      backend.client.query(name, {
        prefetch: [prefetch, prefetch],
        query: { rrf: { k: 1, weights: [1.5, 1.5] } },
        limit: 5,
        ...(threshold === undefined ? {} : { score_threshold: threshold }),
      });
    const { points } = await fused();
    expect(points.map((p) => p.score)).toEqual([Math.fround(2.9999998)]);
    expect((await fused(3)).points).toEqual([]);
  });

  it("set_payload with a null value removes the key instead of storing null", async () => {
    const local = backend.name("engine_null");
    await backend.raw("PUT", `/collections/${local}`, { vectors: { size: 2, distance: "Dot" } });
    await backend.client.upsert(local, {
      wait: true,
      points: [{ id: 1, vector: [1, 0], payload: { a: 1, b: 2 } }],
    });
    await backend.client.setPayload(local, { wait: true, points: [1], payload: { a: null, c: 3 } });
    const [point] = await backend.client.retrieve(local, { ids: [1], with_payload: true });
    expect(point?.payload).toEqual({ b: 2, c: 3 });
    const nulls = await backend.client.count(local, { filter: { must: [{ is_null: { key: "a" } }] } });
    expect(nulls.count).toBe(0);
    await backend.raw("DELETE", `/collections/${local}`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, createBasicCollection, openBackend } from "./backend.js";

// Cases of Qdrant's tests/openapi/test_query.py and test_score_threshold.py, through raw HTTP and the official client.

let backend: Backend;
let name: string;

type Scored = { id: number | string; score: number; payload?: unknown };

/** Reference RRF as the Qdrant tests compute it: 1 / (rank + 2) per list (k = 2), summed. */
function expectedRrf(lists: Scored[][], limit: number): Array<{ id: Scored["id"]; score: number }> {
  const scores = new Map<Scored["id"], number>();
  for (const list of lists) {
    list.forEach((p, i) => {
      scores.set(p.id, (scores.get(p.id) ?? 0) + 1 / (i + 2));
    });
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

/** Reference DBSF: each list scaled by mean ± 3 sample standard deviations, summed. */
function expectedDbsf(lists: Scored[][], limit: number): Array<{ id: Scored["id"]; score: number }> {
  const scores = new Map<Scored["id"], number>();
  for (const list of lists) {
    const values = list.map((p) => p.score);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    const lo = mean - 3 * sd;
    const hi = mean + 3 * sd;
    for (const p of list) scores.set(p.id, (scores.get(p.id) ?? 0) + (p.score - lo) / (hi - lo));
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

beforeAll(async () => {
  backend = await openBackend();
  name = backend.name("conf_query");
  await createBasicCollection(backend, name);
  const index = await backend.raw("PUT", `/collections/${name}/index?wait=true`, {
    field_name: "price",
    field_schema: "float",
  });
  expect(index.status).toBe(200);
});

afterAll(async () => {
  await backend.raw("DELETE", `/collections/${name}`);
  expect(backend.proxy.problems).toEqual([]);
  await backend.close();
});

async function query(body: unknown) {
  const response = await backend.raw("POST", `/collections/${name}/points/query`, body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.result.points as Scored[];
}

async function search(body: unknown) {
  const response = await backend.raw("POST", `/collections/${name}/points/search`, body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.result as Scored[];
}

/** A root query and the same query rescoring a wide prefetch must agree (test_query.py root_and_rescored_query). */
async function rootAndRescored(q: unknown, extra: Record<string, unknown> = {}) {
  const root = await query({ query: q, ...extra });
  const rescored = await query({ prefetch: { limit: 1000 }, query: q, ...extra });
  expect(rescored).toEqual(root);
  return root;
}

describe("query validation (exact Qdrant messages)", () => {
  it("rejects prefetches without a query", async () => {
    const r = await backend.raw("POST", `/collections/${name}/points/query`, {
      prefetch: [{ query: [0.1, 0.2, 0.3, 0.4] }],
    });
    expect(r.status).toBe(400);
    expect(r.body.status.error).toBe(
      "Bad request: A query is needed to merge the prefetches. Can't have prefetches without defining a query.",
    );
  });

  it("rejects score_threshold without a query, and with order_by", async () => {
    const a = await backend.raw("POST", `/collections/${name}/points/query`, { score_threshold: 10 });
    expect(a.status).toBe(400);
    expect(a.body.status.error).toBe(
      "Bad request: A query is needed to use the score_threshold. Can't have score_threshold without defining a query.",
    );
    const b = await backend.raw("POST", `/collections/${name}/points/query`, {
      score_threshold: 10,
      query: { order_by: { key: "price" } },
    });
    expect(b.status).toBe(400);
    expect(b.body.status.error).toBe("Bad request: Can't use score_threshold with an order_by query.");
  });

  it("rejects limit 0 as a validation error", async () => {
    const r = await backend.raw(
      "POST",
      `/collections/${name}/points/query`,
      { query: [0.1, 0.2, 0.3, 0.4], limit: 0 },
      { invalid: true },
    );
    expect(r.status).toBe(422);
    expect(r.body.status.error).toBe(
      "Validation error in JSON body: [internal.limit: value 0 invalid, must be 1 or larger]",
    );
  });

  it("rejects a wrong dimension and an unknown vector name with 400", async () => {
    const dim = await backend.raw("POST", `/collections/${name}/points/query`, { query: [0.1, 0.2, 0.3] });
    expect(dim.status).toBe(400);
    expect(dim.body.status.error).toContain("Vector dimension error: expected dim: 4, got 3");
    const unknown = await backend.raw("POST", `/collections/${name}/points/query`, {
      query: [0.1, 0.2, 0.3, 0.4],
      using: "nope",
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.status.error).toContain("Not existing vector name error: nope");
  });

  it("answers 404 for an unknown collection", async () => {
    const r = await backend.raw("POST", `/collections/${name}_missing/points/query`, {
      query: [0.1, 0.2, 0.3, 0.4],
    });
    expect(r.status).toBe(404);
    expect(r.body.status.error).toContain("doesn't exist");
  });
});

describe("query by point id and fusion with using (test_query_full.py)", () => {
  it("leaves the query point out of its results", async () => {
    const points = await query({ query: 2 });
    expect(points.length).toBeGreaterThan(0);
    expect(points.map((p) => p.id)).not.toContain(2);
    expect((points[0] as Scored).id).not.toBe(2);
  });

  it("recommend (average_vector) searches 2 * avg(positive) - avg(negative) and leaves the examples out", async () => {
    const points = await query({ query: { recommend: { positive: [1, 2, 3, 4], negative: [3] } } });
    const vectors: Record<number, number[]> = {
      1: [0.05, 0.61, 0.76, 0.74],
      2: [0.19, 0.81, 0.75, 0.11],
      3: [0.36, 0.55, 0.47, 0.94],
      4: [0.18, 0.01, 0.85, 0.8],
    };
    const avg = [0, 1, 2, 3].map(
      (i) => [1, 2, 3, 4].reduce((a, id) => a + (vectors[id]?.[i] as number), 0) / 4,
    );
    const target = avg.map((x, i) => 2 * x - (vectors[3]?.[i] as number));
    const plain = await query({ query: target, limit: 20 });
    expect(points.map((p) => p.id)).toEqual(
      plain.map((p) => p.id).filter((id) => ![1, 2, 3, 4].includes(id as number)),
    );
    expect(points.length).toBe(4);
  });

  it("rejects a fusion query with `using`", async () => {
    const r = await backend.raw("POST", `/collections/${name}/points/query`, {
      prefetch: [{ query: [0.1, 0.2, 0.3, 0.4] }],
      using: "",
      query: { fusion: "rrf" },
    });
    expect(r.status).toBe(400);
    expect(r.body.status.error).toBe(
      "Bad request: Fusion queries cannot be combined with the 'using' field.",
    );
  });
});

describe("search and query agree", () => {
  it("search, bare-vector query, nearest query and a rescored prefetch give the same points", async () => {
    const searched = await search({ vector: [0.1, 0.2, 0.3, 0.4], limit: 10 });
    expect(searched.map((p) => p.id)).toHaveLength(8);
    expect(await rootAndRescored([0.1, 0.2, 0.3, 0.4])).toEqual(searched);
    expect(await rootAndRescored({ nearest: [0.1, 0.2, 0.3, 0.4] })).toEqual(searched);
    for (let i = 1; i < searched.length; i++)
      expect(searched[i - 1]?.score).toBeGreaterThanOrEqual(searched[i]?.score as number);
  });

  it("accepts a u64::MAX limit without trouble", async () => {
    const body = `{"query": [0.1, 0.2, 0.3, 0.4], "limit": 18446744073709551615}`;
    const r = await fetch(`${backend.proxy.url}/collections/${name}/points/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { result: { points: unknown[] } }).result.points).toHaveLength(8);
  });

  it("a query without `query` scrolls by id, with offset", async () => {
    const scroll = await backend.raw("POST", `/collections/${name}/points/scroll`, {});
    const points = await query({ with_payload: true });
    expect(points.map((p) => p.id)).toEqual(scroll.body.result.points.map((p: Scored) => p.id));
    expect(points.map((p) => p.payload)).toEqual(scroll.body.result.points.map((p: Scored) => p.payload));
    const fromTwo = await backend.raw("POST", `/collections/${name}/points/scroll`, { offset: 2 });
    const skipOne = await query({ with_payload: true, offset: 1 });
    expect(skipOne.map((p) => p.id)).toEqual(fromTwo.body.result.points.map((p: Scored) => p.id));
  });

  it("order_by price matches scroll order_by, ascending", async () => {
    const scroll = await backend.raw("POST", `/collections/${name}/points/scroll`, { order_by: "price" });
    expect(scroll.status).toBe(200);
    const ordered = await rootAndRescored({ order_by: "price" }, { with_payload: true });
    expect(ordered.map((p) => p.id)).toEqual(scroll.body.result.points.map((p: Scored) => p.id));
    expect(ordered.map((p) => p.id)).toEqual([4, 3, 1, 2]);
  });

  it("random sampling returns every point, in varying order", async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const points = await query({ query: { sample: "random" } });
      expect(new Set(points.map((p) => p.id))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
      orders.add(JSON.stringify(points.map((p) => p.id)));
    }
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe("fusion", () => {
  it("RRF over two prefetches equals the reference fusion of two searches", async () => {
    const a = await search({ vector: [0.1, 0.2, 0.3, 0.4], limit: 10 });
    const b = await search({ vector: [0.5, 0.6, 0.7, 0.8], limit: 10 });
    const expected = expectedRrf([a, b], 10);
    const fused = await query({
      prefetch: [{ query: [0.1, 0.2, 0.3, 0.4] }, { query: [0.5, 0.6, 0.7, 0.8] }],
      query: { fusion: "rrf" },
    });
    const byId = (x: { id: Scored["id"] }, y: { id: Scored["id"] }) => Number(x.id) - Number(y.id);
    expect(fused.map((p) => p.id).sort()).toEqual(expected.map((p) => p.id).sort());
    for (const [got, want] of [...fused]
      .sort(byId)
      .map((p, i) => [p, [...expected].sort(byId)[i]] as const)) {
      expect(got.score).toBeCloseTo(want?.score as number, 5);
    }
  });

  it("DBSF over two prefetches equals the reference fusion of two searches", async () => {
    const a = await search({ vector: [0.1, 0.2, 0.3, 0.4], limit: 10 });
    const b = await search({ vector: [0.5, 0.6, 0.7, 0.8], limit: 10 });
    const expected = expectedDbsf([a, b], 10);
    const fused = await query({
      prefetch: [{ query: [0.1, 0.2, 0.3, 0.4] }, { query: [0.5, 0.6, 0.7, 0.8] }],
      query: { fusion: "dbsf" },
    });
    expect(fused.map((p) => p.id)).toEqual(expected.map((p) => p.id));
    fused.forEach((p, i) => {
      expect(p.score).toBeCloseTo(expected[i]?.score as number, 5);
    });
  });

  it("parametrised RRF: k and weights are applied, a weights count mismatch is a 400", async () => {
    const prefetch = [{ query: [0.1, 0.2, 0.3, 0.4] }, { query: [0.5, 0.6, 0.7, 0.8] }];
    const k60 = await query({ prefetch, query: { rrf: { k: 60 } } });
    const top = k60[0] as Scored;
    expect(top.score).toBeLessThanOrEqual(2 / 60 + 1e-6);
    const weighted = await query({ prefetch, query: { rrf: { k: 2, weights: [1, 0] } } });
    const first = await search({ vector: [0.1, 0.2, 0.3, 0.4], limit: 10 });
    expect(weighted.slice(0, 3).map((p) => p.id)).toEqual(first.slice(0, 3).map((p) => p.id));
    if (backend.local) {
      const bad = await backend.raw("POST", `/collections/${name}/points/query`, {
        prefetch,
        query: { rrf: { weights: [1] } },
      });
      expect(bad.status).toBe(400);
    }
  });

  it("hybrid dense + sparse prefetches fuse, sparse only returns points sharing an index", async () => {
    const sparse = await query({ query: { indices: [1, 12], values: [1, 1] }, using: "sparse-text" });
    expect(sparse.map((p) => p.id)).toEqual([9, 10]);
    const fused = await query({
      prefetch: [
        { query: [0.1, 0.2, 0.3, 0.4], limit: 3 },
        { query: { indices: [1, 12], values: [1, 1] }, using: "sparse-text", limit: 3 },
      ],
      query: { fusion: "rrf" },
    });
    expect(fused).toHaveLength(5);
    expect(fused.filter((p) => p.score === 0.5)).toHaveLength(2);
  });

  it("the root filter applies to prefetches under fusion", async () => {
    const fused = await query({
      prefetch: [{ query: [0.1, 0.2, 0.3, 0.4] }, { query: [0.5, 0.6, 0.7, 0.8] }],
      query: { fusion: "rrf" },
      filter: { must: [{ key: "city", match: { value: "London" } }] },
    });
    expect(fused.map((p) => p.id).sort()).toEqual([2, 4]);
  });
});

describe("score_threshold", () => {
  for (const [label, body] of [
    [
      "fusion",
      {
        prefetch: [{ query: [0.1, 0.2, 0.3, 0.4] }, { query: [0.5, 0.6, 0.7, 0.8] }],
        query: { fusion: "rrf" },
      },
    ],
    ["plain", { query: [0.1, 0.2, 0.3, 0.4] }],
  ] as const) {
    it(`cuts a ${label} query at the threshold`, async () => {
      const all = await query(body);
      expect(all).toHaveLength(8);
      const threshold = (all[3] as Scored).score;
      const cut = await query({ ...body, score_threshold: threshold });
      expect(cut.length).toBeLessThan(8);
      for (const p of cut) expect(p.score).toBeGreaterThanOrEqual(threshold);
    });
  }

  it("is strict on a plain search (test_score_threshold.py)", async () => {
    const three = await search({ vector: [0.2, 0.1, 0.9, 0.7], limit: 3 });
    const second = (three[1] as Scored).score;
    expect(
      await search({ vector: [0.2, 0.1, 0.9, 0.7], limit: 3, score_threshold: second + 0.0001 }),
    ).toHaveLength(1);
    expect(
      await search({ vector: [0.2, 0.1, 0.9, 0.7], limit: 3, score_threshold: second - 0.0001 }),
    ).toHaveLength(2);
  });
});

describe("groups", () => {
  it("groups hits by a payload value, best group first, group_size hits each (query/groups and search/groups)", async () => {
    const r = await backend.raw("POST", `/collections/${name}/points/query/groups`, {
      query: [0.1, 0.2, 0.3, 0.4],
      group_by: "city",
      group_size: 2,
      limit: 2,
      with_payload: true,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const groups = r.body.result.groups as Array<{ id: string; hits: Scored[] }>;
    expect(groups).toHaveLength(2);
    const plain = await search({ vector: [0.1, 0.2, 0.3, 0.4], limit: 10, with_payload: true });
    const cityOf = (p: Scored) => {
      const city = (p.payload as { city?: unknown } | undefined)?.city;
      return Array.isArray(city) ? city : typeof city === "string" ? [city] : [];
    };
    expect(groups[0]?.hits[0]?.id).toBe(plain.find((p) => cityOf(p).length > 0)?.id);
    for (const g of groups) {
      expect(g.hits.length).toBeLessThanOrEqual(2);
      for (const h of g.hits) expect(cityOf(h)).toContain(g.id);
    }
    const viaSearch = await backend.raw("POST", `/collections/${name}/points/search/groups`, {
      vector: [0.1, 0.2, 0.3, 0.4],
      group_by: "city",
      group_size: 2,
      limit: 2,
    });
    expect(viaSearch.body.result.groups.map((g: { id: string }) => g.id)).toEqual(groups.map((g) => g.id));
    const client = await backend.client.queryGroups(name, {
      query: [0.1, 0.2, 0.3, 0.4],
      group_by: "city",
      limit: 3,
    });
    expect(client.groups.length).toBe(3);
  });
});

describe("the official client", () => {
  it("runs a hybrid query, a batch query and a search through @qdrant/js-client-rest", async () => {
    const result = await backend.client.query(name, {
      prefetch: [
        { query: [0.1, 0.2, 0.3, 0.4], limit: 5 },
        { query: { indices: [1, 2, 3], values: [1, 1, 1] }, using: "sparse-text", limit: 5 },
      ],
      query: { fusion: "rrf" },
      with_payload: ["city"],
      limit: 4,
    });
    expect(result.points).toHaveLength(4);
    const batch = await backend.client.queryBatch(name, {
      searches: [
        { query: [0.1, 0.2, 0.3, 0.4], limit: 2 },
        { query: { nearest: [0.5, 0.6, 0.7, 0.8] }, limit: 3 },
      ],
    });
    expect(batch.map((b) => b.points.length)).toEqual([2, 3]);
    const searched = await backend.client.search(name, {
      vector: [0.1, 0.2, 0.3, 0.4],
      limit: 2,
      with_vector: true,
    });
    expect(searched[0]?.vector).toHaveLength(4);
    const byId = await backend.client.query(name, { query: 1, limit: 3 });
    expect(byId.points).toHaveLength(3);
  });
});

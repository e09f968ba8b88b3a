import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { type RunningServer, serveHttp } from "@hybrid/service-kit";
import { buildQueryBody, createQdrantConnection, deleteCollection, ensureCollection } from "@hybrid/store";
import { QdrantClient } from "@qdrant/js-client-rest";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createEncoderSlot } from "../src/encoder-slot.js";
import { createQueryApp, createSearchSchemas, orderHits, type QueryAppOptions } from "../src/index.js";
import type { SearchResponse } from "../src/search-schemas.js";
import { MODEL_CACHE_DIR, MODELS } from "./support/paths.js";

// The service in-process over real HTTP, with the real models, against the Qdrant local mode seeded by the global
// setup with the startups sample (259 rows, embedded by offline/use-lite + BM25).

const logger = pino({ level: "silent" });
const collection = inject("startupsCollection");
const qdrantUrl = inject("qdrantUrl");
let encoder: HybridEncoder;
let server: Pick<RunningServer, "close">;
let base: string;

const options: QueryAppOptions = {
  defaultCollection: collection,
  maxLimit: 100,
  embedCacheSize: 256,
  maxModels: 2,
  apiKeys: [],
  rateLimitPerMinute: 0,
  corsOrigins: [],
};

/** The service as `main` wires it. */
async function start(qdrant: string, overrides: Partial<QueryAppOptions> = {}, timeoutMs = 10_000) {
  const slot = createEncoderSlot<HybridEncoder>();
  slot.set(encoder);
  const connection = createQdrantConnection({ url: qdrant, timeoutMs });
  const { app } = createQueryApp({
    logger,
    qdrant: connection,
    encoder: slot,
    options: { ...options, ...overrides },
  });
  const server = await serveHttp(app, { host: "127.0.0.1", port: 0 });
  const running = {
    port: server.port,
    close: async () => {
      await server.close();
      await connection.close();
    },
  };
  return { running, url: `http://127.0.0.1:${running.port}` };
}

async function search(body: Record<string, unknown>, url = base): Promise<SearchResponse> {
  const res = await fetch(`${url}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(answer)}`);
  return answer as SearchResponse;
}

async function errorOf(body: Record<string, unknown>, url = base) {
  const res = await fetch(`${url}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { error: { code: string; message: string; details?: unknown } },
  };
}

/** The official client, a second implementation of Qdrant's REST API. */
function officialClient(): QdrantClient {
  return new QdrantClient({
    url: qdrantUrl,
    port: Number(new URL(qdrantUrl).port),
    checkCompatibility: false,
  });
}

const names = (r: SearchResponse) => r.hits.map((h) => String(h.payload?.name));

beforeAll(async () => {
  encoder = await createEncoder({
    ...MODELS,
    cacheDir: MODEL_CACHE_DIR,
    onnxThreads: 1,
    queryCacheSize: 256,
  });
  const started = await start(qdrantUrl);
  server = started.running;
  base = started.url;
});

afterAll(async () => {
  await server?.close();
  await encoder?.close();
});

describe("POST /v1/search", () => {
  it("answers hybrid hits with payloads in score order, with timings and the cache flag", async () => {
    const first = await search({ query: "parking app for drivers", limit: 5 });
    expect(first.collection).toBe(collection);
    expect(first.mode).toBe("hybrid");
    expect(first.hits).toHaveLength(5);
    expect(first.hits[0]?.payload).toMatchObject({ name: "SpotHero", city: "Chicago" });
    for (let i = 1; i < first.hits.length; i++) {
      expect(first.hits[i - 1]?.score).toBeGreaterThanOrEqual(first.hits[i]?.score ?? 0);
    }
    expect(first.cached).toBe(false);
    expect(first.timings.totalMs).toBeGreaterThanOrEqual(first.timings.searchMs);
    const again = await search({ query: "parking app for drivers", limit: 5 });
    expect(again.cached).toBe(true);
    expect(again.hits).toEqual(first.hits);
  });

  it("answers the hits the official client gets for the same query body", async () => {
    const { SearchRequest } = createSearchSchemas({ maxLimit: 100 });
    const official = officialClient();
    for (const body of [
      { query: "TurboTax for home loans", limit: 10 },
      {
        query: "rewards",
        mode: "sparse" as const,
        filter: { must: { key: "city", match: { any: ["London", "Londo"] } } },
      },
    ]) {
      const request = SearchRequest.parse(body);
      const queryBody = buildQueryBody(request, await encoder.encodeQuery(request.query));
      const { points } = await official.query(collection, queryBody);
      expect((await search(body)).hits).toEqual(orderHits(points, true));
    }
  });

  it("searches one vector in dense and sparse mode", async () => {
    const dense = await search({ query: "online eye exam", mode: "dense", limit: 3 });
    const sparse = await search({ query: "online eye exam", mode: "sparse", limit: 3 });
    expect(names(dense)[0]).toBe("Opternative");
    expect(names(sparse)[0]).toBe("Opternative");
    // Cosine similarities lie in [-1, 1]; BM25 scores are not bounded by 1.
    expect(dense.hits.every((h) => h.score <= 1.0001)).toBe(true);
    expect(sparse.hits[0]?.score).toBeGreaterThan(1);
  });

  it("passes fusion settings to Qdrant: DBSF, RRF k, and RRF weights", async () => {
    const query = "Houzz for cooks";
    const dense = await search({ query, mode: "dense", limit: 5 });
    const denseOnly = await search({
      query,
      limit: 5,
      fusion: { type: "rrf", weights: { dense: 1, sparse: 0 } },
    });
    expect(names(denseOnly)).toEqual(names(dense));
    const k2 = await search({ query, limit: 5 });
    expect(k2.hits[0]?.score).toBeCloseTo(1 / 2 + 1 / (2 + 2), 5); // top of sparse (pos 0) and third of dense (pos 2)
    const k61 = await search({ query, limit: 5, fusion: { type: "rrf", k: 61 } });
    expect(k61.hits[0]?.score).toBeLessThan(0.04);
    const dbsf = await search({ query, limit: 5, fusion: "dbsf" });
    expect(names(dbsf)).toContain("Morsel");
  });

  it("filters by payload, pages with offset and drops hits under the threshold", async () => {
    const london = await search({
      query: "restaurants",
      limit: 10,
      filter: { must: [{ key: "city", match: { value: "London" } }] },
    });
    expect(london.hits.length).toBeGreaterThan(0);
    expect(london.hits.every((h) => h.payload?.city === "London")).toBe(true);
    const notChicago = await search({
      query: "restaurants",
      limit: 10,
      filter: { must_not: { key: "city", match: { value: "Chicago" } } },
    });
    expect(notChicago.hits.every((h) => h.payload?.city !== "Chicago")).toBe(true);

    const ten = await search({ query: "healthcare", limit: 10 });
    const secondPage = await search({ query: "healthcare", limit: 5, offset: 5 });
    expect(secondPage.hits.map((h) => h.id)).toEqual(ten.hits.slice(5).map((h) => h.id));

    const threshold = ten.hits[3]?.score ?? 0;
    const above = await search({ query: "healthcare", limit: 10, scoreThreshold: threshold });
    expect(above.hits.length).toBeGreaterThanOrEqual(4);
    expect(above.hits.every((h) => h.score >= threshold)).toBe(true);

    const onlyName = await search({ query: "healthcare", limit: 2, withPayload: ["name"] });
    expect(Object.keys(onlyName.hits[0]?.payload ?? {})).toEqual(["name"]);
    const bare = await search({ query: "healthcare", limit: 2, withPayload: false });
    expect(bare.hits[0]).not.toHaveProperty("payload");
  });

  it("answers a query of stop words only (an empty sparse vector) without failing", async () => {
    const sparse = await search({ query: "the of and", mode: "sparse" });
    expect(sparse.hits).toEqual([]);
    const hybrid = await search({ query: "the of and", limit: 3 });
    expect(hybrid.hits).toHaveLength(3);
  });
});

describe("POST /v1/search with explain", () => {
  const ids = (points: Array<{ id: string | number }>) => points.map((p) => p.id);

  it("answers the prefetch lists Qdrant fused and, per hit, ranks and RRF terms that sum to its score", async () => {
    const query = "Houzz for cooks";
    const plain = await search({ query, limit: 5 });
    const explained = await search({ query, limit: 5, explain: true });
    // Explaining changes nothing about the hits.
    expect(explained.hits.map((h) => [h.id, h.score])).toEqual(plain.hits.map((h) => [h.id, h.score]));
    const explain = explained.explain;
    expect(explain?.fusion).toEqual({ method: "rrf", k: 2, weights: { dense: 1, sparse: 1 } });
    expect(explain?.prefetchLimit).toBe(50);
    // The lists are what dense-only and sparse-only searches of the prefetch depth answer.
    const dense = await search({ query, mode: "dense", limit: 50, withPayload: false });
    const sparse = await search({ query, mode: "sparse", limit: 50, withPayload: false });
    expect(ids(explain?.lists.dense ?? [])).toEqual(ids(dense.hits));
    expect(ids(explain?.lists.sparse ?? [])).toEqual(ids(sparse.hits));
    expect(explain?.lists.dense[4]?.payload).toHaveProperty("name");
    expect(explain?.lists.dense[5]).not.toHaveProperty("payload");
    for (const hit of explained.hits) {
      const e = hit.explain;
      expect(e?.fusedScore).toBeCloseTo(hit.score, 6);
      for (const name of ["dense", "sparse"] as const) {
        const at = ids(explain?.lists[name] ?? []).indexOf(hit.id);
        if (at === -1) expect(e?.[name]).toBeNull();
        else expect(e?.[name]).toMatchObject({ rank: at + 1, contribution: Math.fround(1 / (at + 2)) });
      }
    }
    // The top hit: first in the sparse list and third in the dense one (as the fusion test above finds).
    expect(explained.hits[0]?.explain).toMatchObject({ dense: { rank: 3 }, sparse: { rank: 1 } });
  });

  it("explains RRF with k and weights, and DBSF with each list's normalisation, under a filter", async () => {
    const filter = { must: [{ key: "city", match: { value: "London" } }] };
    const weighted = await search({
      query: "food delivery",
      limit: 5,
      filter,
      fusion: { type: "rrf", k: 61, weights: { dense: 2, sparse: 1 } },
      explain: true,
    });
    expect(
      weighted.explain?.lists.dense.every((p) => p.payload === undefined || p.payload.city === "London"),
    ).toBe(true);
    for (const hit of weighted.hits) {
      expect(hit.explain?.fusedScore).toBeCloseTo(hit.score, 6);
      const rank = hit.explain?.dense?.rank;
      if (rank) expect(hit.explain?.dense?.contribution).toBeCloseTo(1 / (rank / 2 + 60), 6);
    }
    const dbsf = await search({ query: "food delivery", limit: 5, filter, fusion: "dbsf", explain: true });
    const scale = dbsf.explain?.normalization?.dense;
    expect(scale?.high).toBeGreaterThan(scale?.low ?? Number.POSITIVE_INFINITY);
    for (const hit of dbsf.hits) {
      expect(hit.explain?.fusedScore).toBeCloseTo(hit.score, 5);
      const d = hit.explain?.dense;
      if (d && scale) expect(d.contribution).toBeCloseTo((d.score - scale.low) / (scale.high - scale.low), 5);
    }
  });

  it("refuses explain outside hybrid mode with a 400 naming the field", async () => {
    const { status, body } = await errorOf({ query: "cooks", mode: "dense", explain: true });
    expect(status).toBe(400);
    expect(body.error.message).toBe(
      'body.explain: explains how hybrid fusion ranks hits: only with mode "hybrid"',
    );
  });
});

describe("hybrid retrieval quality", () => {
  // Hand-made queries whose answer needs both the keyword (the brand a startup compares itself to) and the meaning
  // (the paraphrased need): in the seeded sample one single mode misranks each of them (but the last, a control).
  // Left out on purpose: queries where the two lists swap the top two (ranks 1+2 vs 2+1), since RRF then gives both
  // the same fused score and the order is decided by point id, not by retrieval.
  const QUERIES: Array<[string, string]> = [
    ["Houzz for cooks", "Morsel"],
    ["LinkedIn for restaurant and bar workers", "Shiftgig"],
    ["TurboTax for home loans", "MortgageHippo"],
    ["Warby Parker for couches", "Interior Define"],
    ["fishing gear subscription", "Mystery Tackle Box"],
    ["OpenTable for massages", "Spaciety"],
  ];

  it("hybrid beats or ties each single mode on every query, and beats both on mean reciprocal rank", async () => {
    const rr = { hybrid: [] as number[], dense: [] as number[], sparse: [] as number[] };
    for (const [query, expected] of QUERIES) {
      for (const mode of ["hybrid", "dense", "sparse"] as const) {
        const rank = names(await search({ query, mode, limit: 20 })).indexOf(expected) + 1;
        rr[mode].push(rank === 0 ? 0 : 1 / rank);
      }
      const i = rr.hybrid.length - 1;
      const row = `${query}: hybrid ${rr.hybrid[i]}, dense ${rr.dense[i]}, sparse ${rr.sparse[i]}`;
      expect(rr.hybrid[i], row).toBeGreaterThanOrEqual(rr.dense[i] ?? 0);
      expect(rr.hybrid[i], row).toBeGreaterThanOrEqual(rr.sparse[i] ?? 0);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(rr.hybrid)).toBeGreaterThan(mean(rr.dense));
    expect(mean(rr.hybrid)).toBeGreaterThan(mean(rr.sparse));
  });
});

describe("GET /api/search (the tutorial's shape)", () => {
  it("answers the payloads of the 5 best hits, with limit and payload filters", async () => {
    const res = await fetch(`${base}/api/search?q=${encodeURIComponent("QR codes for covid")}`);
    const { result } = (await res.json()) as { result: Array<Record<string, unknown>> };
    expect(result).toHaveLength(5);
    expect(result[0]).toMatchObject({ name: "SaferCodes", city: "London" });
    const filtered = (await (await fetch(`${base}/api/search?q=rewards&city=London&limit=3`)).json()) as {
      result: Array<Record<string, unknown>>;
    };
    expect(filtered.result.length).toBeGreaterThan(0);
    expect(filtered.result.length).toBeLessThanOrEqual(3);
    expect(filtered.result.every((p) => p.city === "London")).toBe(true);
    const either = (await (
      await fetch(`${base}/api/search?q=rewards&city=London&city=Londo&limit=20`)
    ).json()) as {
      result: Array<Record<string, unknown>>;
    };
    expect(new Set(either.result.map((p) => p.city))).toEqual(new Set(["London", "Londo"]));
  });
});

describe("POST /v1/search/batch", () => {
  it("answers each search in request order, as the single endpoint would", async () => {
    const res = await fetch(`${base}/v1/search/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        searches: [
          { query: "online eye exam", limit: 3 },
          { query: "parking app for drivers", mode: "sparse", limit: 2 },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: SearchResponse[] };
    expect(results.map((r) => names(r)[0])).toEqual(["Opternative", "SpotHero"]);
    expect(results[1]?.hits).toEqual(
      (await search({ query: "parking app for drivers", mode: "sparse", limit: 2 })).hits,
    );
  });

  it("fails as a whole, naming the search, when one collection is unknown", async () => {
    const res = await fetch(`${base}/v1/search/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ searches: [{ query: "a" }, { query: "b", collection: "no_such_collection" }] }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: "NOT_FOUND", details: { field: "body.searches[1].collection" } },
    });
  });
});

describe("errors from Qdrant", () => {
  it("answers 404 naming the collection when it does not exist", async () => {
    const { status, body } = await errorOf({ query: "x", collection: "no_such_collection" });
    expect(status).toBe(404);
    expect(body.error).toMatchObject({
      code: "NOT_FOUND",
      message: 'collection "no_such_collection" not found',
      details: { field: "collection" },
    });
  });

  it("passes Qdrant's own 4xx through with its message (a collection without a sparse vector)", async () => {
    const client = officialClient();
    const name = `dense_only_${process.pid}`;
    await client.createCollection(name, {
      vectors: { dense: { size: encoder.dense.dim, distance: "Cosine" } },
    });
    try {
      const { status, body } = await errorOf({ query: "x", collection: name });
      expect(status).toBe(400);
      expect(body.error.code).toBe("BAD_REQUEST");
      expect(body.error.message).toMatch(/Qdrant answered 400: .*sparse/);
    } finally {
      await client.deleteCollection(name);
    }
  });

  it("answers 409 when the collection was built with models the service cannot load", async () => {
    const client = createQdrantConnection({ url: qdrantUrl, timeoutMs: 10_000 });
    const name = `other_models_${process.pid}`;
    await ensureCollection(client, name, {
      dense: "BAAI/bge-small-en-v1.5",
      denseDim: 384,
      distance: "Cosine",
      sparse: "Qdrant/bm25",
      sparseModifier: "idf",
    });
    try {
      const { status, body } = await errorOf({ query: "x", collection: name });
      // This app is built without `loadEncoder`: only the configured models (test/collection-models.test.ts loads others).
      expect(status).toBe(409);
      expect(body.error.message).toBe(
        `collection "${name}" was built with models this service cannot load dense model "BAAI/bge-small-en-v1.5" ` +
          'with sparse model "Qdrant/bm25": this service only embeds with its configured models',
      );
    } finally {
      await deleteCollection(client, name);
      await client.close();
    }
  });

  describe("against a stand-in Qdrant (a loopback HTTP server; a real Qdrant cannot be made to fail on cue)", () => {
    let standIn: Server;
    let standInUrl: string;
    let behaviour: "500" | "slow" = "500";

    beforeAll(async () => {
      standIn = createServer((_req, res) => {
        if (behaviour === "slow") {
          setTimeout(() => res.writeHead(200).end("{}"), 3000).unref();
          return;
        }
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: { error: "Service internal error: disk on fire" }, time: 0 }));
      });
      await new Promise<void>((resolve) => standIn.listen(0, "127.0.0.1", resolve));
      standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      standIn.closeAllConnections();
      await new Promise((resolve) => standIn.close(resolve));
    });

    it("answers Qdrant's 5xx as 502 and a timeout as 504, without internals", async () => {
      const { running, url } = await start(standInUrl, {}, 300);
      try {
        behaviour = "500";
        const failed = await errorOf({ query: "x" }, url);
        expect(failed.status).toBe(502);
        expect(failed.body.error.code).toBe("UPSTREAM");
        expect(failed.body.error.message).toContain("disk on fire");
        behaviour = "slow";
        const slow = await errorOf({ query: "x" }, url);
        expect(slow.status).toBe(504);
        expect(slow.body.error.code).toBe("TIMEOUT");
        expect(JSON.stringify([failed.body, slow.body])).not.toMatch(/\.ts:\d+|node_modules/);
      } finally {
        await running.close();
      }
    });
  });
});

describe("metrics after searches", () => {
  it("reports embed and search latency and the cache hit ratio", async () => {
    await search({ query: "metrics probe query" });
    await search({ query: "metrics probe query" });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/query_embed_duration_seconds_count\{cache="hit"\} [1-9]/);
    expect(text).toMatch(/query_embed_duration_seconds_count\{cache="miss"\} [1-9]/);
    expect(text).toMatch(/qdrant_query_duration_seconds_count\{mode="hybrid",outcome="ok"\} [1-9]/);
    const ratio = Number(text.match(/^query_embedding_cache_hit_ratio (\S+)$/m)?.[1]);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/v1\/search",status="200"\} [1-9]/,
    );
  });
});

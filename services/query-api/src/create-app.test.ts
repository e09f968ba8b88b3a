import type { HybridEncoder } from "@hybrid/embeddings";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import {
  createQdrantConnection,
  deleteCollection,
  ensureCollection,
  pointId,
  upsertPoints,
} from "@hybrid/store";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApp, type QueryAppOptions } from "./create-app.js";
import { createEncoderSlot } from "./encoder-slot.js";

// These tests run without models: the encoder slot stays empty, as it is while a fresh service loads them.
// Searches that need embeddings are in test/e2e.test.ts.

const logger = pino({ level: "silent" });
const collection = `query_api_app_${process.pid}`;
let qdrant: QdrantLocal;

const options: QueryAppOptions = {
  defaultCollection: collection,
  maxLimit: 50,
  embedCacheSize: 16,
  maxModels: 2,
  apiKeys: [],
  rateLimitPerMinute: 0,
  corsOrigins: [],
};

function appWith(overrides: Partial<QueryAppOptions> = {}) {
  return createQueryApp({
    logger,
    qdrant: createQdrantConnection({ url: qdrant.url, timeoutMs: 5000 }),
    encoder: createEncoderSlot<HybridEncoder>(),
    options: { ...options, ...overrides },
  });
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

beforeAll(async () => {
  qdrant = await startQdrantLocal({ port: 0 });
  const client = createQdrantConnection({ url: qdrant.url, timeoutMs: 5000 });
  await ensureCollection(client, collection, {
    dense: "test/dense",
    denseDim: 3,
    distance: "Cosine",
    sparse: "Qdrant/bm25",
    sparseModifier: "idf",
  });
  await upsertPoints(client, collection, [
    {
      id: "5c56c793-69f3-4fbf-87e6-c4bf54c28c26",
      dense: [1, 0, 0],
      sparse: { indices: [1], values: [1] },
      payload: { city: "Berlin" },
    },
  ]);
});

afterAll(async () => {
  await qdrant?.close();
});

describe("query app before the models have loaded", () => {
  it("is alive but not ready, and says why", async () => {
    const { app } = appWith();
    expect((await app.request("/healthz")).status).toBe(200);
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "not ready", checks: { models: "loading", qdrant: "ok" } });
  });

  it("answers a valid search with 503 UNAVAILABLE", async () => {
    const { app } = appWith();
    const res = await app.request("/v1/search", post({ query: "berlin" }));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: { code: "UNAVAILABLE", message: "models are still loading" },
    });
  });
});

/** A filter nested `levels` filters deep (two levels of objects and arrays each). */
function deepFilter(levels: number): unknown {
  let filter: unknown = { key: "city", match: { value: "Berlin" } };
  for (let i = 0; i < levels; i++) filter = { must: [filter] };
  return filter;
}

describe("request validation", () => {
  const cases: Array<[string, unknown, string]> = [
    ["an empty query", { query: "  " }, "body.query"],
    ["a query over 64 KiB of UTF-8", { query: "é".repeat(40_000) }, "body.query"],
    ["a filter nested 500 levels deep", { query: "q", filter: deepFilter(500) }, "body.filter"],
    ["the collection name .", { query: "q", collection: "." }, "body.collection"],
    ["the collection name ..", { query: "q", collection: ".." }, "body.collection"],
    [
      "a point id above 2^53",
      { query: "q", filter: { must: [{ has_id: [2 ** 60] }] } },
      "body.filter.must[0].has_id[0]",
    ],
    ["a limit above MAX_LIMIT", { query: "q", limit: 51 }, "body.limit"],
    ["a negative offset", { query: "q", offset: -1 }, "body.offset"],
    ["an unknown mode", { query: "q", mode: "semantic" }, "body.mode"],
    [
      "a malformed filter",
      { query: "q", filter: { must: [{ key: "city", match: { valu: "Berlin" } }] } },
      "body.filter.must[0].match",
    ],
    ["an unknown field", { query: "q", colection: "x" }, "body"],
    ["a bad collection name", { query: "q", collection: "a/b" }, "body.collection"],
  ];
  for (const [what, body, field] of cases) {
    it(`answers 400 naming ${field} for ${what}`, async () => {
      const { app } = appWith();
      const res = await app.request("/v1/search", post(body));
      expect(res.status).toBe(400);
      const answer = (await res.json()) as {
        error: { code: string; message: string; details: { field: string } };
      };
      expect(answer.error.code).toBe("BAD_REQUEST");
      expect(answer.error.details.field).toBe(field);
      expect(answer.error.message.startsWith(`${field}: `)).toBe(true);
      expect(JSON.stringify(answer)).not.toMatch(/at .*\.ts:\d+/);
    });
  }

  it("says what is expected: the nesting limit, collection names, point ids, decimal limits", async () => {
    const { app } = appWith();
    const message = async (res: Response | Promise<Response>) => {
      const answer = await res;
      expect(answer.status).toBe(400);
      return ((await answer.json()) as { error: { message: string } }).error.message;
    };
    expect(await message(app.request("/v1/search", post({ query: "q", filter: deepFilter(500) })))).toBe(
      "body.filter: nested deeper than the limit of 32 levels (objects and arrays)",
    );
    expect(
      await message(
        app.request("/v1/search/batch", post({ searches: [{ query: "q", filter: deepFilter(500) }] })),
      ),
    ).toBe("body.searches[0].filter: nested deeper than the limit of 32 levels (objects and arrays)");
    expect(await message(app.request("/v1/search", post({ query: "q", collection: ".." })))).toBe(
      "body.collection: a collection name: 1-255 letters, digits, _, - or ., not starting with a dot",
    );
    expect(await message(app.request("/api/search?q=x&collection=."))).toMatch(
      /^query.collection: a collection name/,
    );
    expect(
      await message(
        app.request("/v1/search", post({ query: "q", filter: { must: [{ has_id: [2 ** 60] }] } })),
      ),
    ).toBe(
      "body.filter.must[0].has_id[0]: a point id: an unsigned integer up to 2^53 - 1 (9007199254740991) or a UUID",
    );
    expect(await message(app.request("/api/search?q=x&limit=0x10"))).toBe(
      "query.limit: expected a decimal integer from 1 to 50",
    );
    expect(await message(app.request("/api/search?q=x&limit=1&limit=2"))).toBe(
      "query.limit: given more than once; give this parameter once",
    );
  });

  it("accepts long queries and filters nested within the limit (then waits for the models)", async () => {
    const { app } = appWith();
    const long = await app.request(
      "/v1/search",
      post({ query: "word ".repeat(2000), filter: deepFilter(15) }),
    );
    expect(long.status).toBe(503);
  });

  it("names the search in a batch", async () => {
    const { app } = appWith();
    const res = await app.request(
      "/v1/search/batch",
      post({ searches: [{ query: "a" }, { query: "b", limit: 0 }] }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { details: { field: "body.searches[1].limit" } } });
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const { app } = appWith();
    const res = await app.request("/v1/search", post({ query: "q", pad: "x".repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
  });

  it("answers 400 for malformed JSON and for GET /api/search without q", async () => {
    const { app } = appWith();
    const bad = await app.request("/v1/search", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
    const noQuery = await app.request("/api/search?city=Berlin");
    expect(noQuery.status).toBe(400);
    expect(await noQuery.json()).toMatchObject({ error: { details: { field: "query.q" } } });
    const badKey = await app.request("/api/search?q=x&a%24b=1");
    expect(badKey.status).toBe(400);
  });
});

describe("collections", () => {
  it("lists collections with point counts and models, and describes one", async () => {
    const { app } = appWith();
    const list = (await (await app.request("/v1/collections")).json()) as {
      collections: unknown[];
      defaultCollection: string;
    };
    expect(list.defaultCollection).toBe(collection);
    expect(list.collections).toContainEqual({
      name: collection,
      pointsCount: 1,
      models: { dense: "test/dense", denseDim: 3, sparse: "Qdrant/bm25" },
    });
    const res = await app.request(`/v1/collections/${collection}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: collection,
      status: "green",
      pointsCount: 1,
      vectors: { dense: { size: 3, distance: "Cosine" } },
      sparseVectors: { sparse: { modifier: "idf" } },
      models: { dense: "test/dense", denseDim: 3, sparse: "Qdrant/bm25" },
    });
  });

  it("answers 404 naming the collection", async () => {
    const { app } = appWith();
    const res = await app.request("/v1/collections/nope_nothing_here");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: {
        code: "NOT_FOUND",
        message: 'collection "nope_nothing_here" not found',
        details: { field: "name" },
      },
    });
  });
});

describe("GET /v1/collections/{name}/facets", () => {
  it("offers repeated short strings with counts and numbers with their range, not unique names or long text", async () => {
    const name = `query_api_facets_${process.pid}`;
    const client = createQdrantConnection({ url: qdrant.url, timeoutMs: 5000 });
    await ensureCollection(client, name, {
      dense: "test/dense",
      denseDim: 3,
      distance: "Cosine",
      sparse: "Qdrant/bm25",
      sparseModifier: "idf",
    });
    const rows = [
      { name: "a", city: "Berlin", year: 2010, tags: ["x"], text: "long ".repeat(30) },
      { name: "b", city: "Berlin", year: 2021, tags: ["y"], text: "long ".repeat(31) },
      { name: "c", city: "Paris", year: 2015.5, tags: ["x"], text: "long ".repeat(32) },
    ];
    await upsertPoints(
      client,
      name,
      rows.map((payload, i) => ({
        id: pointId(name, String(i), 0),
        dense: [1, 0, 0],
        sparse: { indices: [1], values: [1] },
        payload,
      })),
    );
    try {
      const res = await appWith().app.request(`/v1/collections/${name}/facets`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        collection: name,
        sampled: 3,
        fields: [
          {
            key: "city",
            type: "keyword",
            values: [
              { value: "Berlin", count: 2 },
              { value: "Paris", count: 1 },
            ],
          },
          { key: "year", type: "number", min: 2010, max: 2021 },
        ],
      });
      const missing = await appWith().app.request("/v1/collections/nope_nothing_here/facets");
      expect(missing.status).toBe(404);
    } finally {
      await deleteCollection(client, name);
    }
  });
});

describe("docs, metrics and the page", () => {
  it("serves an OpenAPI document built from the route schemas", async () => {
    const { app } = appWith();
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, { maximum?: number }> }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/search",
      "/v1/collections",
      "/v1/collections/{name}",
      "/v1/collections/{name}/facets",
      "/v1/search",
      "/v1/search/batch",
    ]);
    expect(doc.components.schemas.SearchRequest?.properties?.limit?.maximum).toBe(50);
    expect(doc.components.schemas.Filter).toBeDefined();
  });

  it("serves Swagger UI with its assets from the service itself", async () => {
    const { app } = appWith();
    const html = await (await app.request("/docs")).text();
    expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
    const js = await app.request("/docs/assets/swagger-ui-bundle.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect((await app.request("/docs/assets/package.json")).status).toBe(404);
  });

  it("counts requests by route pattern and status", async () => {
    const { app } = appWith();
    await app.request(`/v1/collections/${collection}`);
    await app.request("/v1/collections/nope_nothing_here");
    await app.request("/no/such/route");
    const text = await (await app.request("/metrics")).text();
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/v1\/collections\/:name",status="200"\} 1/,
    );
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/v1\/collections\/:name",status="404"\} 1/,
    );
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).toContain("query_embedding_cache_hit_ratio");
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("serves the search page", async () => {
    const { app } = appWith();
    const page = await app.request("/");
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script src="/app.js"');
    expect((await app.request("/app.js")).status).toBe(200);
    for (const file of ["/dom.js", "/render-hit.js", "/explain-view.js", "/facet-filter.js", "/ingest.js"]) {
      expect((await app.request(file)).headers.get("content-type"), file).toMatch(/text\/javascript/);
    }
    expect(await (await app.request("/ingest")).text()).toContain('<script src="/ingest.js"');
  });

  it("answers the ingestion proxy with 503 naming PRODUCER_URL when no producer is configured", async () => {
    const { app } = appWith();
    const res = await app.request("/ingest/v1/jobs");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: {
        code: "UNAVAILABLE",
        message: "ingestion is not configured: this service has no PRODUCER_URL",
      },
    });
    // Only the page's producer routes are forwarded.
    expect((await app.request("/ingest/v1/anything")).status).toBe(404);
  });

  it("answers 503 when the configured producer is unreachable, without internals", async () => {
    const { app } = appWith({ producerUrl: "http://127.0.0.1:1" });
    const res = await app.request("/ingest/v1/jobs/some-id", { method: "DELETE" });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: { code: "UNAVAILABLE", message: "the ingest producer is unreachable" },
    });
  });
});

describe("access control (off by default)", () => {
  it("requires one of the configured API keys on /v1 and /api, not on health or docs", async () => {
    const { app } = appWith({ apiKeys: ["k-1", "k-2"] });
    expect((await app.request("/v1/collections")).status).toBe(401);
    expect((await app.request("/v1/collections", { headers: { authorization: "Bearer nope" } })).status).toBe(
      401,
    );
    expect((await app.request("/v1/collections", { headers: { authorization: "Bearer k-2" } })).status).toBe(
      200,
    );
    expect((await app.request("/v1/collections", { headers: { "x-api-key": "k-1" } })).status).toBe(200);
    expect((await app.request("/healthz")).status).toBe(200);
    expect((await app.request("/openapi.json")).status).toBe(200);
  });

  it("limits each client to its budget per minute with Retry-After", async () => {
    const { app } = appWith({ rateLimitPerMinute: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.request("/v1/collections")).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await app.request("/v1/collections");
    expect(limited.headers.get("retry-after")).toBe("30");
    expect((await app.request("/healthz")).status).toBe(200);
  });

  it("sends CORS headers only when origins are configured", async () => {
    const open = appWith();
    expect(
      (await open.app.request("/v1/collections", { headers: { origin: "http://x" } })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBeNull();
    const { app } = appWith({ corsOrigins: ["http://allowed.example"] });
    const res = await app.request("/v1/collections", { headers: { origin: "http://allowed.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("http://allowed.example");
  });
});

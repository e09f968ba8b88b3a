import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEncoder, type HybridEncoder } from "@hybrid/embeddings";
import { writeTinyDenseModel } from "@hybrid/embeddings/test-models";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import { serveHttp } from "@hybrid/service-kit";
import { expectNoServerError, fuzzSuite } from "@hybrid/service-kit/hostile-input";
import { createQdrantConnection, ensureCollection, type QdrantConnection, upsertPoints } from "@hybrid/store";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueryApp } from "./create-app.js";
import { createEncoderSlot } from "./encoder-slot.js";

// The hostile-input suite: generated bodies, query strings and paths against the real app (a tiny real ONNX model,
// BM25, the Qdrant local mode over the connection `main` uses). No answer may be a 5xx, and every error has the
// project's shape. Fixed seed and bounded runs so CI is fast and repeatable; FUZZ_SEED / FUZZ_RUNS explore further.
const fuzz = fuzzSuite(120);
const collection = `hostile_${process.pid}`;

let root: string;
let qdrant: QdrantLocal;
let encoder: HybridEncoder;
let client: QdrantConnection;
let app: ReturnType<typeof createQueryApp>["app"];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "query-hostile-"));
  const model = await writeTinyDenseModel(join(root, "dense"), {
    words: ["berlin", "london", "ai", "doctors", "startup"],
    dim: 8,
    output: "token",
  });
  encoder = await createEncoder({ dense: model.dir, sparse: "Qdrant/bm25", cacheDir: root, onnxThreads: 1 });
  qdrant = await startQdrantLocal({ port: 0 });
  client = createQdrantConnection({ url: qdrant.url, timeoutMs: 5000 });
  await ensureCollection(client, collection, {
    dense: encoder.dense.model,
    denseDim: encoder.dense.dim,
    distance: "Cosine",
    sparse: encoder.sparse.model,
    sparseModifier: "idf",
  });
  const texts = ["ai startup in berlin", "doctors in london", "berlin doctors ai"];
  const vectors = await encoder.encodeDocuments(texts);
  await upsertPoints(
    client,
    collection,
    vectors.map((v, i) => ({
      id: `00000000-0000-4000-8000-00000000000${i + 1}`,
      dense: v.dense,
      sparse: v.sparse,
      payload: {
        text: texts[i] ?? "",
        city: i === 1 ? "London" : "Berlin",
        year: 2020 + i,
        tags: ["a", "b"],
      },
    })),
  );
  const slot = createEncoderSlot<HybridEncoder>();
  slot.set(encoder);
  ({ app } = createQueryApp({
    logger: pino({ level: "silent" }),
    qdrant: client,
    encoder: slot,
    options: {
      defaultCollection: collection,
      maxLimit: 50,
      embedCacheSize: 16,
      apiKeys: [],
      rateLimitPerMinute: 0,
      corsOrigins: [],
      maxModels: 1,
    },
  }));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await encoder?.close();
  await qdrant?.close();
  await rm(root, { recursive: true, force: true });
});

const names = fc.oneof(
  fc.constantFrom(collection, ".", "..", "nope", "a/b", "", " ", "x".repeat(300), "%2e%2e", "a:b", "_x"),
  fc.string({ maxLength: 40 }),
);
const keys = fc.oneof(
  fc.constantFrom("city", "year", "tags[]", "text", "a.b", ""),
  fc.string({ maxLength: 12 }),
);
const scalars = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(2 ** 53, 2 ** 64, -1, 0, 1e308),
);

/** Filter-shaped values, well formed or nearly so, nesting at random (sometimes past the limit). */
const { filter } = fc.letrec<{ filter: unknown; condition: unknown }>((tie) => ({
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    {
      weight: 6,
      arbitrary: fc.record(
        {
          must: fc.oneof(tie("condition"), fc.array(tie("condition"), { maxLength: 3 })),
          should: fc.array(tie("condition"), { maxLength: 3 }),
          must_not: tie("condition"),
          min_should: fc.record({
            conditions: fc.array(tie("condition"), { maxLength: 2 }),
            min_count: scalars,
          }),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  ),
  condition: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({
      key: keys,
      match: fc.oneof(
        fc.record({ value: scalars }),
        fc.record({ any: fc.array(scalars, { maxLength: 3 }) }),
        fc.record({ except: fc.array(scalars, { maxLength: 3 }) }),
        fc.record({ text: scalars }),
        fc.dictionary(fc.string({ maxLength: 6 }), scalars, { maxKeys: 2 }),
      ),
    }),
    fc.record({ key: keys, range: fc.dictionary(fc.constantFrom("gt", "gte", "lt", "lte", "eq"), scalars) }),
    fc.record({ has_id: fc.array(fc.oneof(scalars, fc.uuid()), { maxLength: 3 }) }),
    fc.record({ is_empty: fc.record({ key: keys }) }),
    fc.record({ is_null: fc.oneof(fc.record({ key: keys }), scalars) }),
    fc.record({ nested: fc.record({ key: keys, filter: tie("filter") }) }),
    tie("filter"),
    { weight: 1, arbitrary: scalars },
  ),
}));

/** Mostly a valid value, sometimes a hostile one: keeps most requests deep enough to reach the filter and the store. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: hostile });

const searchBody = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        query: mostly(
          fc.constantFrom("ai doctors", "berlin", "startup london ai"),
          fc.oneof(fc.string({ maxLength: 60 }), scalars),
        ),
        collection: mostly(fc.constant(collection), fc.oneof(names, scalars)),
        limit: mostly(fc.integer({ min: 1, max: 50 }), fc.oneof(fc.integer({ min: -5, max: 80 }), scalars)),
        offset: mostly(
          fc.integer({ min: 0, max: 10 }),
          fc.oneof(fc.integer({ min: -5, max: 20_000 }), scalars),
        ),
        mode: mostly(
          fc.constantFrom("hybrid", "dense", "sparse"),
          fc.oneof(fc.constant("semantic"), scalars),
        ),
        fusion: mostly(
          fc.constantFrom("rrf", "dbsf"),
          fc.record(
            {
              type: fc.constantFrom("rrf", "dbsf", "x"),
              k: scalars,
              weights: fc.record({ dense: scalars, sparse: scalars }, { requiredKeys: [] }),
            },
            { requiredKeys: [] },
          ),
        ),
        prefetchLimit: mostly(
          fc.integer({ min: 1, max: 1000 }),
          fc.oneof(fc.integer({ min: -1, max: 2000 }), scalars),
        ),
        filter,
        scoreThreshold: mostly(fc.double({ min: -1, max: 1, noNaN: true }), scalars),
        withPayload: mostly(fc.oneof(fc.boolean(), fc.array(keys, { maxLength: 3 })), scalars),
      },
      { requiredKeys: ["query"] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.record({ query: fc.constant("ai"), extra: scalars }) },
);

/** A query string from generated pairs: repeated, empty, odd or reserved parameters included. */
const queryString = fc
  .tuple(
    mostly(
      fc.constantFrom<Array<[string, string]>>([["q", "ai doctors"]], [["q", "berlin"]]),
      fc.constant<Array<[string, string]>>([]),
    ),
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom("q", "limit", "collection", "mode", "city", "year", "tags[]"),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(
          fc.constantFrom("ai", "Berlin", "0x10", "1e1", "-1", "5", "..", "", "hybrid", "%zz", collection),
          fc.string({ maxLength: 30 }),
        ),
      ),
      { maxLength: 5 },
    ),
  )
  .map(([first, pairs]) => new URLSearchParams([...first, ...pairs]).toString());

const post = (path: string, body: string) =>
  app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("hostile input to the query API (fast-check)", () => {
  fuzz.itHolds(
    "POST /v1/search answers every generated body without a 5xx",
    fc.asyncProperty(searchBody, async (body) => {
      await expectNoServerError(await post("/v1/search", JSON.stringify(body)), JSON.stringify(body));
    }),
  );

  fuzz.itHolds(
    "POST /v1/search/batch answers every generated batch without a 5xx",
    fc.asyncProperty(
      fc.oneof(
        fc.record({ searches: fc.array(searchBody, { maxLength: 4 }) }),
        fc.record({ searches: scalars }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
      async (body) => {
        await expectNoServerError(await post("/v1/search/batch", JSON.stringify(body)), JSON.stringify(body));
      },
    ),
    Math.ceil(fuzz.runs / 2),
  );

  fuzz.itHolds(
    "GET /api/search answers every generated query string without a 5xx",
    fc.asyncProperty(queryString, async (query) => {
      await expectNoServerError(await app.request(`/api/search?${query}`), query);
    }),
  );

  it(
    "GET /v1/collections/:name and its facets answer every generated name without a 5xx",
    async () => {
      await fc.assert(
        fc.asyncProperty(names, async (name) => {
          await expectNoServerError(await app.request(`/v1/collections/${encodeURIComponent(name)}`), name);
          await expectNoServerError(
            await app.request(`/v1/collections/${encodeURIComponent(name)}/facets`),
            `${name} facets`,
          );
        }),
        { seed: fuzz.seed, numRuns: fuzz.runs },
      );
      await expectNoServerError(await app.request("/v1/collections"), "list");
    },
    fuzz.timeoutMs,
  );

  it("answers a query of tens of thousands of characters (the models truncate), and refuses one past 64 KiB", async () => {
    const long = await post(
      "/v1/search",
      JSON.stringify({ query: "ai doctors berlin ".repeat(3000), limit: 2 }),
    );
    expect(long.status).toBe(200);
    expect(((await long.json()) as { hits: unknown[] }).hits.length).toBe(2);
    const tooLong = await post("/v1/search", JSON.stringify({ query: "a".repeat(64 * 1024 + 1) }));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({
      error: { message: "body.query: at most 65536 bytes (64 KiB) of UTF-8" },
    });
  });

  it("answers raw bodies that are not JSON, or JSON nested far too deep, with 400", async () => {
    const deep = `{"query":"ai","filter":${'{"must":['.repeat(50_000)}${"]}".repeat(50_000)}}`;
    for (const body of [
      "{",
      "",
      "null",
      "[]",
      '"text"',
      deep,
      `{"query":"ai","withPayload":${"[".repeat(100_000)}`,
    ]) {
      const res = await post("/v1/search", body);
      expect(res.status, body.slice(0, 40)).toBe(400);
      await expectNoServerError(res, body.slice(0, 40));
    }
  });

  it("over real HTTP, answers . and .. path segments with 400 and a 100k-character URL with 431, as JSON", async () => {
    const server = await serveHttp(app, { host: "127.0.0.1", port: 0 });
    // node:http sends the path as written; fetch would resolve the dot segments first.
    const get = (path: string) =>
      new Promise<Response>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: server.port, path }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve(
              new Response(Buffer.concat(chunks), {
                status: res.statusCode ?? 0,
                headers: { "content-type": res.headers["content-type"] ?? "" },
              }),
            ),
          );
        });
        req.on("error", reject);
        req.end();
      });
    try {
      for (const path of [
        "/v1/collections/..",
        "/v1/collections/.",
        "/v1/collections/%2E%2E",
        "/api/../v1/search",
      ]) {
        const res = await get(path);
        expect(res.status, path).toBe(400);
        await expectNoServerError(res, path);
      }
      const long = await get(`/api/search?q=${"a".repeat(100_000)}`);
      expect(long.status).toBe(431);
      await expectNoServerError(long, "100k-character URL");
    } finally {
      await server.close();
    }
  });
});

import { request } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QdrantLocal, startQdrantLocal } from "../src/index.js";

// Raw HTTP on purpose: fetch and the official client resolve `.` and `..` segments before sending.
let server: QdrantLocal;

function raw(method: string, path: string, body?: string): Promise<{ status: number; error?: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, method, path, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => {
          const parsed: unknown = JSON.parse(text);
          const status =
            typeof parsed === "object" && parsed !== null && "status" in parsed ? parsed.status : undefined;
          const error =
            typeof status === "object" && status !== null && "error" in status ? status.error : undefined;
          resolve({ status: res.statusCode ?? 0, error });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** `{"filter": {"must": [{"must": [ ... ]}]}}` with `levels` filters, as text (too deep for JSON.stringify). */
function deepFilterBody(levels: number): string {
  const leaf = '{"key":"a","match":{"value":1}}';
  return `{"filter":${'{"must":['.repeat(levels)}${leaf}${"]}".repeat(levels)}}`;
}

beforeAll(async () => {
  server = await startQdrantLocal({ port: 0 });
  const created = await raw(
    "PUT",
    "/collections/c",
    JSON.stringify({
      vectors: { "": { size: 2, distance: "Dot" } },
      sparse_vectors: { s: { modifier: "idf" } },
    }),
  );
  expect(created.status).toBe(200);
  const points = [1, 2, 3].map((id) => ({ id, vector: { "": [id, 1], s: { indices: [id], values: [1] } } }));
  expect((await raw("PUT", "/collections/c/points?wait=true", JSON.stringify({ points }))).status).toBe(200);
});

afterAll(async () => {
  await server.close();
});

describe("hostile input", () => {
  it("refuses filters nested past serde's 128 levels with 400, at any depth, and still counts shallower ones", async () => {
    expect((await raw("POST", "/collections/c/points/count", deepFilterBody(60))).status).toBe(200);
    for (const levels of [500, 100_000]) {
      const res = await raw("POST", "/collections/c/points/count", deepFilterBody(levels));
      expect(res.status).toBe(400);
      expect(res.error).toBe(
        "Format error in JSON body: recursion limit exceeded: nested deeper than 128 levels",
      );
    }
  });

  it('refuses "." and ".." as collection names on every route, plain or percent-encoded', async () => {
    const create = JSON.stringify({ vectors: { size: 2, distance: "Dot" } });
    for (const name of [".", "..", "%2e", "%2E%2e"]) {
      for (const [method, path, body] of [
        ["GET", `/collections/${name}`, undefined],
        ["PUT", `/collections/${name}`, create],
        ["DELETE", `/collections/${name}`, undefined],
        ["POST", `/collections/${name}/points/count`, "{}"],
        ["POST", `/collections/${name}/points/query`, "{}"],
      ] as const) {
        const res = await raw(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.error).toMatch(/collection names cannot be "\." or "\.\."/);
      }
    }
    expect((await raw("GET", "/collections/c.v1.")).status).toBe(404);
  });
});

// Generated bodies against every route that reads one: mostly near misses of real requests (each field drawn from
// valid pieces or any JSON), so both the schema check and the reading after it are exercised. No answer may be a
// 5xx, and every error has Qdrant's shape. Fixed seed and bounded runs; FUZZ_SEED / FUZZ_RUNS explore further.
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

const BODY_ROUTES = [
  ["PUT", "/collections/c/points"],
  ["POST", "/collections/c/points"],
  ["POST", "/collections/c/points/delete"],
  ["POST", "/collections/c/points/payload"],
  ["PUT", "/collections/c/points/payload"],
  ["POST", "/collections/c/points/payload/delete"],
  ["POST", "/collections/c/points/payload/clear"],
  ["PUT", "/collections/c/points/vectors"],
  ["POST", "/collections/c/points/vectors/delete"],
  ["POST", "/collections/c/points/batch"],
  ["POST", "/collections/c/points/scroll"],
  ["POST", "/collections/c/points/count"],
  ["POST", "/collections/c/points/query"],
  ["POST", "/collections/c/points/query/batch"],
  ["POST", "/collections/c/points/query/groups"],
  ["POST", "/collections/c/points/search"],
  ["POST", "/collections/c/points/search/batch"],
  ["POST", "/collections/c/points/search/groups"],
  ["PATCH", "/collections/c"],
  ["PUT", "/collections/c/index"],
  ["PUT", "/collections/fuzzed"],
] as const;

const id = fc.oneof(
  fc.integer({ min: -1, max: 4 }),
  fc.constant("6f0f5fd2-2ab2-4a3d-9c1b-1a2b3c4d5e6f"),
  fc.string(),
);
const dense = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 3 });
const sparse = fc.record({
  indices: fc.array(fc.nat(5), { maxLength: 3 }),
  values: fc.array(fc.double(), { maxLength: 3 }),
});
const vector = fc.oneof(dense, sparse, id, fc.record({ "": dense, s: sparse }, { requiredKeys: [] }));
const condition = fc.oneof(
  fc.record({
    key: fc.constantFrom("a", "a[].b", ""),
    match: fc.oneof(fc.record({ value: fc.jsonValue() }), fc.jsonValue()),
  }),
  fc.record({ has_id: fc.array(id, { maxLength: 2 }) }),
  fc.record({ is_empty: fc.record({ key: fc.string() }) }),
  fc.record({ nested: fc.record({ key: fc.string(), filter: fc.jsonValue() }) }),
);
const filter = fc.record(
  { must: fc.array(condition, { maxLength: 2 }), should: condition },
  { requiredKeys: [] },
);
const anything = fc.jsonValue({ maxDepth: 3 });
const node = fc.record(
  {
    query: fc.oneof(
      vector,
      fc.record({ fusion: fc.constantFrom("rrf", "dbsf", "x") }),
      fc.record({ nearest: vector }),
      anything,
    ),
    using: fc.constantFrom("", "s", "nope"),
    filter: fc.oneof(filter, anything),
    limit: fc.oneof(fc.integer({ min: -1, max: 3 }), anything),
    prefetch: fc.array(fc.record({ query: vector, using: fc.constantFrom("", "s") }, { requiredKeys: [] }), {
      maxLength: 2,
    }),
    score_threshold: fc.oneof(fc.double({ noNaN: true }), anything),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  anything,
  node,
  fc.record(
    {
      points: fc.oneof(
        fc.array(fc.record({ id, vector, payload: anything }), { maxLength: 2 }),
        fc.array(id),
        anything,
      ),
      batch: fc.record({ ids: fc.array(id, { maxLength: 2 }), vectors: fc.oneof(fc.array(dense), anything) }),
      ids: fc.array(id, { maxLength: 2 }),
      filter,
      payload: anything,
      keys: fc.oneof(fc.array(fc.string()), anything),
      vector: fc.oneof(
        vector,
        fc.array(fc.string(), { maxLength: 2 }),
        fc.record({ name: fc.string(), vector: dense }),
      ),
      operations: fc.array(
        fc.dictionary(fc.constantFrom("upsert", "delete", "set_payload", "update_vectors"), anything),
      ),
      searches: fc.array(node, { maxLength: 2 }),
      group_by: fc.string(),
      limit: fc.integer({ min: -1, max: 3 }),
      field_name: fc.string(),
      field_schema: fc.oneof(fc.constantFrom("keyword", "text", "bogus"), anything),
      vectors: anything,
      sparse_vectors: anything,
    },
    { requiredKeys: [] },
  ),
);

describe("generated bodies", () => {
  it("never answer a 5xx, and answer errors in Qdrant's shape", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BODY_ROUTES), body, async ([method, path], value) => {
        const res = await raw(method, `${path}?wait=true`, JSON.stringify(value));
        expect(res.status, `${method} ${path} ${JSON.stringify(value)}`).toBeLessThan(500);
        if (res.status >= 400) expect(typeof res.error === "string" && res.error.length > 0).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

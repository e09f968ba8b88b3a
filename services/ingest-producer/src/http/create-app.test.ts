import { randomUUID } from "node:crypto";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import { createQdrantConnection, pingQdrant, type QdrantConnection } from "@hybrid/store";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCollectionResolver } from "../ingest/resolve-collection.js";
import { createTestHarness, type TestHarness, waitFor } from "../testing/test-deps.js";
import { createProducerApp } from "./create-app.js";

const KEY = "test-key-1";
let qdrant: QdrantLocal;
let harness: TestHarness;
let app: ReturnType<typeof createProducerApp>;
const collection = `producer_app_${randomUUID().slice(0, 8)}`;
let store: QdrantConnection;
/** The official client looks at what the producer made. */
const client = () =>
  new QdrantClient({ url: qdrant.url, port: Number(new URL(qdrant.url).port), checkCompatibility: false });

beforeAll(async () => {
  qdrant = await startQdrantLocal({ port: 0 });
  store = createQdrantConnection({ url: qdrant.url, timeoutMs: 5000 });
  const resolveCollection = createCollectionResolver(store, {
    dense: "test/dense",
    denseDim: 4,
    distance: "Cosine",
    sparse: "Qdrant/bm25",
    sparseModifier: "idf",
  });
  harness = createTestHarness({ resolveCollection });
  harness.startProducer();
  harness.startEmbedStandIn();
  app = createProducerApp({
    deps: harness.deps,
    apiKeys: [KEY],
    maxBodyBytes: 64 * 1024,
    readiness: [
      { name: "redis", check: () => harness.deps.redis.ping() },
      { name: "qdrant", check: () => pingQdrant(store) },
    ],
  });
});
afterAll(async () => {
  await harness.close();
  await store.close();
  await qdrant.close();
});

const auth = { authorization: `Bearer ${KEY}` };
const post = (body: unknown, headers: Record<string, string> = auth) =>
  app.request("/v1/jobs", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
const rows = Array.from({ length: 10 }, (_, i) => ({
  id: `p${i}`,
  name: `Place ${i}`,
  description: `Nice spot ${i}`,
}));

describe("producer HTTP API (real Redis, BullMQ and the Qdrant local mode; a test worker stands in for embed-worker)", () => {
  it("queues a job with 202 and a status URL, creates the collection, and reports completion", async () => {
    const res = await post({
      collection,
      source: { type: "rows", rows },
      text: "{name}. {description}",
      id: "id",
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; statusUrl: string; state: string };
    expect(body.statusUrl).toBe(`/v1/jobs/${body.id}`);
    expect(res.headers.get("location")).toBe(body.statusUrl);
    const info = await client().getCollection(collection);
    expect(info.config.params.sparse_vectors?.sparse?.modifier).toBe("idf");
    const done = await waitFor(async () => {
      const view = (await (await app.request(body.statusUrl, { headers: auth })).json()) as {
        state: string;
        points: { upserted: number };
      };
      return view.state === "completed" ? view : undefined;
    });
    expect(done.points.upserted).toBe(10);
    const list = (await (await app.request("/v1/jobs?limit=5", { headers: auth })).json()) as {
      jobs: Array<{ id: string }>;
    };
    expect(list.jobs.map((j) => j.id)).toContain(body.id);
    const failures = await (await app.request(`/v1/jobs/${body.id}/failures`, { headers: auth })).json();
    expect(failures).toEqual({ failures: [] });
  });

  it("answers 400 with the field paths of an invalid request", async () => {
    const res = await post({
      collection: "bad name",
      source: { type: "hf", dataset: "x", split: "t[1:x]" },
      text: [],
      batchSize: 0,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as {
      error: { code: string; details: { issues: Array<{ path: string }> } };
    };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details.issues.map((i) => i.path).sort()).toEqual([
      "body.batchSize",
      "body.collection",
      "body.source.split",
      "body.text",
    ]);
    const template = await post({ collection, source: { type: "rows", rows }, text: "{name" });
    expect(template.status).toBe(400);
    expect(((await template.json()) as { error: { message: string } }).error.message).toMatch(/template/);
    expect(
      (await post({ collection, source: { type: "url", url: "http://example.org/x.jsonl" }, text: "t" }))
        .status,
    ).toBe(400);
    expect(
      (await post({ collection, source: { type: "file", path: "/nope/none.jsonl" }, text: "t" })).status,
    ).toBe(400);
    // Outside the data directories an existing file answers like a missing one: nothing to probe.
    expect(
      (await post({ collection, source: { type: "file", path: "/etc/hostname" }, text: "t" })).status,
    ).toBe(400);
  });

  it("refuses a deeply nested inline row with 400 before creating the collection", async () => {
    const deep = `deep_${randomUUID().slice(0, 8)}`;
    const levels = 20_000;
    const res = await app.request("/v1/jobs", {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: `{"collection":"${deep}","text":"t","source":{"type":"rows","rows":[{"t":"a"},{"t":${"[".repeat(levels)}${"]".repeat(levels)}}]}}`,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toBe(
      "invalid request: body.source.rows.1: nested deeper than the limit of 64 levels (objects and arrays)",
    );
    expect((await client().collectionExists(deep)).exists).toBe(false);
  });

  it("names unknown fields, says what text may be, and refuses . and .. as collection names", async () => {
    const base = { collection, source: { type: "rows", rows }, text: "name" };
    const message = async (body: unknown) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await message({ ...base, paylod: { include: ["name"] } })).toBe(
      "invalid request: body.paylod: unknown field",
    );
    expect(await message({ ...base, source: { ...base.source, format: "jsonl" } })).toBe(
      "invalid request: body.source.format: unknown field",
    );
    expect(await message({ ...base, text: 5 })).toBe(
      'invalid request: body.text: expected a field name, a list of field names, or a template like "{title} {text}"',
    );
    for (const name of [".", ".."])
      expect(await message({ ...base, collection: name })).toMatch(
        /^invalid request: body.collection: a collection name/,
      );
  });

  it("lists by state, and refuses unknown states, unknown parameters and non-decimal or repeated limits", async () => {
    const list = async (query: string) => {
      const res = await app.request(`/v1/jobs?${query}`, { headers: auth });
      return {
        status: res.status,
        body: (await res.json()) as { jobs?: Array<{ state: string }>; error?: { message: string } },
      };
    };
    const completed = await list("state=completed&limit=5");
    expect(completed.status).toBe(200);
    expect(completed.body.jobs?.every((j) => j.state === "completed")).toBe(true);
    expect((await list("state=bogus")).body.error?.message).toMatch(
      /^invalid request: query.state: Invalid option/,
    );
    expect((await list("limt=5")).body.error?.message).toBe("invalid request: query.limt: unknown field");
    expect((await list("limit=0x10")).body.error?.message).toBe(
      "invalid request: query.limit: expected a decimal integer from 1 to 500",
    );
    expect((await list("limit=1&limit=2")).body.error?.message).toBe(
      "invalid request: query.limit: given more than once; give this parameter once",
    );
  });

  it("refuses a collection built for other models with 409", async () => {
    await client().createCollection(`${collection}_other`, {
      vectors: { dense: { size: 8, distance: "Cosine" } },
    });
    const res = await post({
      collection: `${collection}_other`,
      source: { type: "rows", rows },
      text: "name",
    });
    expect(res.status).toBe(409);
  });

  it("needs the API key (Bearer or x-api-key) on every job route, reads included, and on the dashboard", async () => {
    expect((await post({ collection, source: { type: "rows", rows }, text: "name" }, {})).status).toBe(401);
    expect(
      (
        await post(
          { collection, source: { type: "rows", rows }, text: "name" },
          { authorization: "Bearer nope" },
        )
      ).status,
    ).toBe(401);
    expect((await app.request("/v1/jobs/ing-none", { method: "DELETE" })).status).toBe(401);
    expect((await app.request("/v1/jobs/ing-none", { method: "DELETE", headers: auth })).status).toBe(404);
    for (const path of ["/v1/jobs", "/v1/jobs/ing-none", "/v1/jobs/ing-none/failures"]) {
      expect((await app.request(path)).status).toBe(401);
      expect((await app.request(path, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    }
    expect((await app.request("/v1/jobs/ing-none", { headers: auth })).status).toBe(404);
    expect((await app.request("/v1/jobs/ing-none", { headers: { "x-api-key": KEY } })).status).toBe(404);
    const badId = await app.request(`/v1/jobs/${"x".repeat(200)}`, { headers: auth });
    expect(((await badId.json()) as { error: { message: string } }).error.message).toBe(
      "invalid request: param.id: an ingestion id: 1-128 letters, digits, _ or - (such as ing-mx7vvsty-f47b1b53)",
    );
    const board = await app.request("/admin/queues");
    expect(board.status).toBe(401);
    expect(board.headers.get("www-authenticate")).toMatch(/Basic/);
    const basic = `Basic ${Buffer.from(`admin:${KEY}`).toString("base64")}`;
    expect((await app.request("/admin/queues", { headers: { authorization: basic } })).status).toBe(200);
    const queues = await app.request("/admin/queues/api/queues", { headers: auth });
    expect(queues.status).toBe(200);
    expect(JSON.stringify(await queues.json())).toContain('"embed"');
  });

  it("previews the first rows mapped to text and ids, with skips and their reasons, and creates nothing", async () => {
    const name = `producer_preview_${randomUUID().slice(0, 8)}`;
    const preview = (body: unknown) =>
      app.request("/v1/jobs/preview", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json", ...auth },
      });
    const res = await preview({
      collection: name,
      source: {
        type: "rows",
        rows: [rows[0], { name: "no id", description: "d" }, "not an object", ...rows.slice(1)],
      },
      text: "{name}. {description}",
      id: "id",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      rows: [
        { line: 0, rowId: "p0", chunk: 0, text: "Place 0. Nice spot 0" },
        { line: 1, skip: "missing_id", message: 'id field "id" is missing or empty' },
        { line: 2, skip: "not_an_object", message: "row is a string" },
        { line: 3, rowId: "p1", chunk: 0, text: "Place 1. Nice spot 1" },
        { line: 4, rowId: "p2", chunk: 0, text: "Place 2. Nice spot 2" },
      ],
    });
    expect((await client().collectionExists(name)).exists).toBe(false);
    expect((await post({ collection: name, source: { type: "rows", rows }, text: "{name" })).status).toBe(
      400,
    );
    const refused = await preview({
      collection: name,
      source: { type: "url", url: "http://example.org/x.jsonl" },
      text: "t",
    });
    expect(refused.status).toBe(400);
    // A source that fails while read (no datasets-server at the test address) is reported, not a 5xx.
    const down = await preview({
      collection: name,
      source: { type: "hf", dataset: "a/b", split: "train" },
      text: "t",
    });
    expect(down.status).toBe(200);
    const answer = (await down.json()) as { rows: unknown[]; error?: string };
    expect(answer.rows).toEqual([]);
    expect(answer.error).toEqual(expect.any(String));
    expect((await app.request("/v1/jobs/preview", { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("rejects bodies over the limit with 413", async () => {
    const huge = Array.from({ length: 2000 }, (_, i) => ({ name: `row ${i} ${"x".repeat(40)}` }));
    const res = await post({ collection, source: { type: "rows", rows: huge }, text: "name" });
    expect(res.status).toBe(413);
  });

  it("serves the OpenAPI document, docs and health", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/v1/jobs",
      "/v1/jobs/preview",
      "/v1/jobs/upload",
      "/v1/jobs/{id}",
      "/v1/jobs/{id}/failures",
    ]);
    expect(doc.components.schemas).toHaveProperty("IngestRequest");
    expect((await app.request("/docs")).status).toBe(200);
    expect((await app.request("/healthz")).status).toBe(200);
    expect(await (await app.request("/readyz")).json()).toMatchObject({ status: "ready" });
  });
});

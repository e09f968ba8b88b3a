import { randomUUID } from "node:crypto";
import { type QdrantLocal, startQdrantLocal } from "@hybrid/qdrant-local";
import { expectNoServerError, fuzzSuite } from "@hybrid/service-kit/hostile-input";
import { createQdrantConnection } from "@hybrid/store";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCollectionResolver } from "../ingest/resolve-collection.js";
import { createTestHarness, type TestHarness } from "../testing/test-deps.js";
import { createProducerApp } from "./create-app.js";

// The hostile-input suite of the job API: generated bodies, query strings and ids against the real app (Redis,
// BullMQ, the Qdrant local mode creating collections). No answer may be a 5xx, and every error has the project's
// shape. No worker runs: accepted jobs stay queued and are removed with the test's queues. Fixed seed and bounded
// runs keep CI fast and repeatable; FUZZ_SEED / FUZZ_RUNS explore further.
const fuzz = fuzzSuite(100);
const KEY = "hostile-key";
const run = randomUUID().slice(0, 6);

let qdrant: QdrantLocal;
let harness: TestHarness;
let app: ReturnType<typeof createProducerApp>;
const submitted: string[] = [];

beforeAll(async () => {
  qdrant = await startQdrantLocal({ port: 0 });
  const client = createQdrantConnection({ url: qdrant.url, timeoutMs: 5000 });
  harness = createTestHarness({
    resolveCollection: createCollectionResolver(client, {
      dense: "test/dense",
      denseDim: 4,
      distance: "Cosine",
      sparse: "Qdrant/bm25",
      sparseModifier: "idf",
    }),
  });
  app = createProducerApp({
    deps: harness.deps,
    apiKeys: [KEY],
    maxBodyBytes: 64 * 1024,
    readiness: [],
    dashboard: false,
  });
});

afterAll(async () => {
  await harness?.close();
  await qdrant?.close();
});

/** Mostly a valid value, sometimes a hostile one, so most requests get past the first field. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: hostile });

const scalars = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(2 ** 53, 2 ** 64, -1, 0),
);
const anything = fc.oneof(scalars, fc.jsonValue({ maxDepth: 3 }));
const collections = mostly(
  fc.constantFrom(`hostile_${run}_a`, `hostile_${run}_b`),
  fc.oneof(
    fc.constantFrom(".", "..", ".x", "a/b", "", "x".repeat(300), "a:b"),
    fc.string({ maxLength: 20 }),
    scalars,
  ),
);
const formats = mostly(fc.constantFrom("auto", "jsonl", "json"), anything);
const rows = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        id: fc.oneof(fc.string(), fc.integer()),
        title: fc.string(),
        text: fc.string(),
      }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  ),
  { minLength: 0, maxLength: 8 },
);
const sources = fc.oneof(
  fc.record({ type: fc.constant("rows"), rows: mostly(rows, anything) }),
  fc.record(
    {
      type: fc.constant("file"),
      path: fc.oneof(
        fc.constantFrom(
          "src",
          ".",
          "..",
          "../../etc/passwd",
          "/etc/passwd",
          "a\0b",
          "missing.jsonl",
          "package.json",
        ),
        fc.string({ maxLength: 30 }),
      ),
      format: formats,
      csv: mostly(
        fc.record(
          {
            delimiter: fc.oneof(fc.constantFrom(",", ";", "\t", "\n", '"', ""), fc.string({ maxLength: 5 })),
            quote: fc.oneof(fc.constantFrom('"', "'", ",", "\n"), fc.string({ maxLength: 2 })),
            types: fc.dictionary(fc.string({ maxLength: 5 }), fc.constantFrom("integer", "json", "date", "")),
          },
          { requiredKeys: [] },
        ),
        anything,
      ),
    },
    { requiredKeys: ["type", "path"] },
  ),
  fc.record(
    {
      type: fc.constant("vectors"),
      dense: fc.constantFrom("package.json", "src", "../x.npy", "missing.npy", "README.md"),
      payload: fc.constantFrom("package.json", "missing.json", "/etc/passwd"),
      sparse: mostly(fc.constantFrom("package.json", "tsconfig.json"), anything),
      archive: fc.constantFrom("package.json", "missing.tar.gz", "../../x.tar"),
    },
    { requiredKeys: ["type"] },
  ),
  fc.record(
    {
      type: fc.constant("url"),
      url: fc.oneof(
        fc.constantFrom(
          "http://127.0.0.1:9/x.jsonl",
          "http://example.org/x",
          "file:///etc/passwd",
          "ftp://x",
          "http://",
        ),
        fc.webUrl(),
        fc.string({ maxLength: 30 }),
      ),
      format: formats,
    },
    { requiredKeys: ["type", "url"] },
  ),
  fc.record(
    {
      type: fc.constant("hf"),
      dataset: fc.oneof(fc.constantFrom("BeIR/scifact", "x", "a/b/c", ""), fc.string({ maxLength: 20 })),
      config: mostly(fc.constantFrom("corpus", "default"), anything),
      split: fc.oneof(
        fc.constantFrom(
          "train",
          "train[0:10]",
          "train[:5%]",
          "train[-50:]",
          "train[a:b]",
          "train[200%:]",
          "t[99999999999999999999:]",
        ),
        fc.string({ maxLength: 20 }),
      ),
      via: mostly(fc.constantFrom("rows", "parquet"), anything),
    },
    { requiredKeys: ["type", "dataset", "split"] },
  ),
  anything,
);
const texts = mostly(
  fc.oneof(
    fc.constantFrom("text", "{title} {text}", "{title}. {text}", "meta.title"),
    fc.array(fc.constantFrom("title", "text"), { minLength: 1, maxLength: 3 }),
  ),
  fc.oneof(
    fc.constantFrom("", "{", "}", "{}", "{{x}}", "{a{b}}", "{ }"),
    fc.string({ maxLength: 20 }),
    anything,
  ),
);
const jobBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        collection: collections,
        source: sources,
        text: texts,
        id: mostly(fc.constantFrom("id", "meta.id"), anything),
        payload: mostly(
          fc.record(
            {
              include: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }),
              exclude: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }),
            },
            { requiredKeys: [] },
          ),
          anything,
        ),
        batchSize: mostly(fc.integer({ min: 1, max: 4096 }), anything),
        vectors: mostly(
          fc.record(
            {
              dense: fc.constantFrom("emb", "a.b", ""),
              sparse: fc.constantFrom("sp", "{x}"),
              model: fc.constantFrom("offline/use-lite", "other/model", ""),
            },
            { requiredKeys: ["dense"] },
          ),
          anything,
        ),
        chunking: mostly(
          fc.record(
            { maxTokens: fc.integer({ min: 8, max: 8192 }), overlap: fc.integer({ min: 0, max: 64 }) },
            { requiredKeys: [] },
          ),
          anything,
        ),
      },
      { requiredKeys: ["collection", "source", "text"] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ collection: collections, source: sources, text: texts, paylod: anything }),
  },
  { weight: 1, arbitrary: anything },
);

const listQuery = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom("limit", "state"), fc.string({ maxLength: 8 })),
      fc.oneof(
        fc.constantFrom("5", "0x10", "1e1", "-1", "0", "501", "", "queued", "completed", "bogus", "%zz"),
        fc.string({ maxLength: 20 }),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

const ids = fc.oneof(
  fc.constantFrom("ing-none", "..", ".", "ing-1-read", "a:b", "", "x".repeat(200), "%zz"),
  fc.string({ maxLength: 40 }),
  fc.constant("SUBMITTED"),
);

/** A POST of `body` as JSON with the test's key. */
const post = (path: string, body: unknown) =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify(body),
  });

describe("hostile input to the job API (fast-check)", () => {
  it(
    "POST /v1/jobs answers every generated body without a 5xx",
    async () => {
      await fc.assert(
        fc.asyncProperty(jobBody, async (body) => {
          const res = await post("/v1/jobs", body);
          const answer = await expectNoServerError(res, JSON.stringify(body));
          if (res.status === 202) submitted.push((answer as { id: string }).id);
        }),
        { seed: fuzz.seed, numRuns: fuzz.runs },
      );
      expect(submitted.length).toBeGreaterThan(0);
    },
    fuzz.timeoutMs,
  );

  fuzz.itHolds(
    "POST /v1/jobs/preview answers every generated body without a 5xx",
    // Network sources only wait on their (closed) test endpoints with retries here; create-app.test covers them.
    fc.asyncProperty(
      jobBody.filter((b) => !/"type":"(url|hf)"/.test(JSON.stringify(b))),
      async (body) => {
        await expectNoServerError(await post("/v1/jobs/preview", body), JSON.stringify(body));
      },
    ),
  );

  fuzz.itHolds(
    "GET /v1/jobs answers every generated query string without a 5xx",
    fc.asyncProperty(listQuery, async (query) => {
      await expectNoServerError(await app.request(`/v1/jobs?${query}`), query);
    }),
  );

  fuzz.itHolds(
    "GET and DELETE /v1/jobs/:id answer every generated id without a 5xx",
    fc.asyncProperty(ids, fc.constantFrom("GET", "DELETE"), async (raw, method) => {
      const id = raw === "SUBMITTED" ? (submitted[0] ?? "ing-none") : raw;
      const res = await app.request(`/v1/jobs/${encodeURIComponent(id)}`, {
        method,
        headers: { authorization: `Bearer ${KEY}` },
      });
      await expectNoServerError(res, `${method} ${id}`);
      const failures = await app.request(`/v1/jobs/${encodeURIComponent(id)}/failures`);
      await expectNoServerError(failures, `failures of ${id}`);
    }),
  );
});

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { bm25Terms } from "@hybrid/embeddings";
import { readBm25Config, tokenizeDocument } from "@hybrid/qdrant-local";
import { beforeAll, describe, expect, it } from "vitest";
import {
  makeTempDir,
  type ServiceProcess,
  startQdrantLocalProcess,
  startService,
} from "../src/harness/index.js";
import {
  type IngestionStack,
  startIngestionStack,
  submitJob,
  waitForJob,
  writeJsonLines,
} from "./ingestion-support.js";

/**
 * Item 3 of issue 12: the same rows ingested with INFERENCE=client and INFERENCE=server, each into its own local mode
 * under the same collection name (so point ids, and the order of tied scores, are the same), then compared vector by
 * vector and search by search. Data: the startups sample and the first 300 SciFact passages (a BEIR set).
 */

const SHARED = process.env.SHARED_DIR ?? new URL("../../../shared/", import.meta.url).pathname;
const STARTUPS = `${SHARED}datasets/startups-sample/startups_demo.jsonl`;
const SCIFACT = `${SHARED}datasets/scifact/`;
const BM25 = readBm25Config(undefined);

type Mode = "client" | "server";
type Stored = { id: string; vector: { dense: number[]; sparse: { indices: number[]; values: number[] } } };
const side = new Map<Mode, { qdrant: string; stack: IngestionStack; api?: ServiceProcess }>();

const DATASETS = {
  startups: {
    template: "{name}. {description}",
    id: undefined as string | undefined,
    queries: [
      "QR codes for restaurants",
      "health care information technology",
      "online fashion shopping",
      "machine learning for doctors",
      "fintech payments in London",
    ],
  },
  scifact: { template: "{title}. {text}", id: "_id" as string | undefined, queries: [] as string[] },
};
const texts = new Map<string, string[]>();

async function scroll(qdrant: string, collection: string): Promise<Map<string, Stored>> {
  const response = await fetch(`${qdrant}/collections/${collection}/points/scroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ limit: 10_000, with_payload: false, with_vector: true }),
  });
  const body = (await response.json()) as { result: { points: Stored[] } };
  return new Map(body.result.points.map((p) => [p.id, p]));
}

async function search(api: ServiceProcess, collection: string, query: string) {
  const response = await fetch(`${api.url}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, collection, limit: 10, withPayload: false }),
  });
  const body = (await response.json()) as { hits: Array<{ id: string; score: number }> };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.hits;
}

beforeAll(async () => {
  const dir = makeTempDir("e2e-equivalence-");
  const startups = readFileSync(STARTUPS, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, string>);
  const scifact = gunzipSync(readFileSync(`${SCIFACT}corpus.jsonl.gz`))
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, 300)
    .map((l) => JSON.parse(l) as Record<string, string>);
  DATASETS.scifact.queries = readFileSync(`${SCIFACT}queries.jsonl`, "utf8")
    .split("\n")
    .filter(Boolean)
    .slice(0, 20)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  texts.set(
    "startups",
    startups.map((r) => `${r.name}. ${r.description}`),
  );
  texts.set(
    "scifact",
    scifact.map((r) => `${r.title}. ${r.text}`),
  );
  const files = {
    startups: writeJsonLines(dir, "startups.jsonl", startups),
    scifact: writeJsonLines(dir, "scifact.jsonl", scifact),
  };
  await Promise.all(
    (["client", "server"] as const).map(async (mode) => {
      const qdrant = await startQdrantLocalProcess(
        mode === "server" ? { args: ["--dense-model", "offline/use-lite"] } : {},
      );
      const env = { INFERENCE: mode };
      const stack = await startIngestionStack({
        qdrantUrl: qdrant.url,
        dataDir: dir,
        workers: 1,
        workerEnv: env,
        producerEnv: env,
      });
      side.set(mode, { qdrant: qdrant.url, stack });
      for (const [name, dataset] of Object.entries(DATASETS)) {
        const body = {
          collection: name,
          source: { type: "file", path: files[name as keyof typeof files] },
          text: dataset.template,
          ...(dataset.id ? { id: dataset.id } : {}),
          batchSize: 64,
        };
        const job = await waitForJob(
          stack.producer,
          await submitJob(stack.producer, body),
          undefined,
          300_000,
        );
        expect(job, `${mode} ${name}`).toMatchObject({ state: "completed" });
      }
      const api = await startService(
        "query-api",
        { QDRANT_URL: qdrant.url, DENSE_MODEL: "offline/use-lite", SPARSE_MODEL: "Qdrant/bm25" },
        { label: `query-api-${mode}`, waitReady: true },
      );
      (side.get(mode) as { api?: ServiceProcess }).api = api;
    }),
  );
}, 600_000);

describe.each(Object.keys(DATASETS))("%s: client and server modes", (name) => {
  it("store the same dense vectors (within 1e-6), and the same BM25 bit for bit wherever both recipes tokenize alike", async () => {
    const client = await scroll(side.get("client")?.qdrant as string, name);
    const server = await scroll(side.get("server")?.qdrant as string, name);
    expect(server.size).toBe(client.size);
    expect(client.size).toBe(texts.get(name)?.length);
    let sameSparse = 0;
    for (const [id, c] of client) {
      const s = server.get(id) as Stored;
      for (const [i, x] of s.vector.dense.entries())
        expect(Math.abs(x - (c.vector.dense[i] as number))).toBeLessThan(1e-6);
      const a = JSON.stringify(
        [...new Map(c.vector.sparse.indices.map((k, i) => [k, c.vector.sparse.values[i]])).entries()].sort(),
      );
      const b = JSON.stringify(
        [...new Map(s.vector.sparse.indices.map((k, i) => [k, s.vector.sparse.values[i]])).entries()].sort(),
      );
      if (a === b) sameSparse++;
    }
    // Rows where FastEmbed's tokens (client) and Qdrant's (server) differ: `_` inside words, tokens over 40 chars.
    const differ = (texts.get(name) ?? []).filter(
      (t) => bm25Terms(t).join(" ") !== tokenizeDocument(t, BM25).join(" "),
    ).length;
    expect(sameSparse).toBe(client.size - differ);
    console.log(
      `${name}: ${client.size} rows, BM25 bit-identical ${sameSparse}, tokenized differently ${differ}`,
    );
  });

  it("answer the same hybrid top 10 for every query", async () => {
    let same = 0;
    const queries = DATASETS[name as keyof typeof DATASETS].queries;
    for (const query of queries) {
      const [c, s] = await Promise.all(
        (["client", "server"] as const).map((m) => search(side.get(m)?.api as ServiceProcess, name, query)),
      );
      if (JSON.stringify(c) === JSON.stringify(s)) same++;
      else console.log(`${name}: "${query}" differs:\n${JSON.stringify(c)}\n${JSON.stringify(s)}`);
    }
    expect(same).toBe(queries.length);
  });
});

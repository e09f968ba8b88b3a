import { bm25DocumentVector, readBm25Config } from "@hybrid/qdrant-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeTempDir,
  type ServiceProcess,
  startQdrantLocalProcess,
  startService,
} from "../src/harness/index.js";
import {
  collectionName,
  type IngestionStack,
  logLines,
  rowsFileJob,
  startIngestionStack,
  submitJob,
  waitForJob,
  writeJsonLines,
} from "./ingestion-support.js";

/**
 * The three inference modes end to end, as real processes: the local mode serving the offline dense model under its
 * Qdrant Cloud name (`--dense-model offline/use-lite`), and per mode a producer and an embed worker started with
 * INFERENCE=client | mixed | server, then the query API. The same rows go into one collection per mode.
 */

type Mode = "client" | "mixed" | "server";
const MODES: Mode[] = ["client", "mixed", "server"];
const WORDS = (
  "vitamin aspirin statin insulin sleep exercise smoking cohort outcome trial risk dose placebo mortality cancer " +
  "heart kidney liver diabetes obesity blood pressure gene protein cell immune infection vaccine therapy patient " +
  "children elderly women men diet fiber sugar coffee alcohol stress memory brain bone muscle"
).split(" ");
/** Rows of varied words (seeded), so that no two score alike and top-10 lists have no ties to break by point id. */
const ROWS = Array.from({ length: 40 }, (_, i) => {
  let seed = i * 7919 + 17;
  const pick = (n: number) =>
    Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return WORDS[seed % WORDS.length];
    }).join(" ");
  // Every fifth title has a word with `_`, where FastEmbed's BM25 and Qdrant's split differently.
  return {
    id: `row-${i}`,
    title: `${pick(3)}${i % 5 === 0 ? " snake_case_word" : ""}`,
    text: pick(20 + (i % 7)),
  };
});
const BM25 = readBm25Config(undefined);

let qdrantUrl: string;
let dataDir: string;
let path: string;
const stacks = new Map<Mode, IngestionStack>();
const collections = new Map<Mode, string>();
let queryApi: ServiceProcess;

type StoredPoint = {
  payload: { id: string; title: string; text: string };
  vector: { dense: number[]; sparse: { indices: number[]; values: number[] } };
};

async function storedPoints(collection: string): Promise<Map<string, StoredPoint>> {
  const response = await fetch(`${qdrantUrl}/collections/${collection}/points/scroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ limit: 1000, with_payload: true, with_vector: true }),
  });
  const body = (await response.json()) as { result: { points: StoredPoint[] } };
  return new Map(body.result.points.map((p) => [p.payload.id, p]));
}

async function collectionMetadata(collection: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${qdrantUrl}/collections/${collection}`);
  const body = (await response.json()) as {
    result: { config: { metadata: { models: Record<string, unknown> } } };
  };
  return body.result.config.metadata.models;
}

const asMap = (v: { indices: number[]; values: number[] }) =>
  new Map(v.indices.map((index, i) => [index, Math.fround(v.values[i] as number)]));

beforeAll(async () => {
  dataDir = makeTempDir("e2e-inference-");
  path = writeJsonLines(dataDir, "rows.jsonl", ROWS);
  const qdrant = await startQdrantLocalProcess({ args: ["--dense-model", "offline/use-lite"] });
  qdrantUrl = qdrant.url;
  await Promise.all(
    MODES.map(async (mode) => {
      const env = { INFERENCE: mode };
      stacks.set(
        mode,
        await startIngestionStack({ qdrantUrl, dataDir, workers: 1, workerEnv: env, producerEnv: env }),
      );
    }),
  );
  for (const mode of MODES) {
    const stack = stacks.get(mode) as IngestionStack;
    const collection = collectionName(`modes-${mode}`);
    collections.set(mode, collection);
    const job = await waitForJob(
      stack.producer,
      await submitJob(stack.producer, rowsFileJob(collection, path)),
    );
    expect(job, mode).toMatchObject({ state: "completed", points: { upserted: ROWS.length } });
  }
  queryApi = await startService(
    "query-api",
    { QDRANT_URL: qdrantUrl, DENSE_MODEL: "offline/use-lite", SPARSE_MODEL: "Qdrant/bm25" },
    { label: "query-api", waitReady: true },
  );
});

afterAll(async () => {
  await Promise.all(
    [...collections.values()].map((c) => fetch(`${qdrantUrl}/collections/${c}`, { method: "DELETE" })),
  );
});

describe("ingestion by inference mode", () => {
  it("records each collection's mode in its metadata (client: none recorded)", async () => {
    expect((await collectionMetadata(collections.get("client") as string)).inference).toBeUndefined();
    expect((await collectionMetadata(collections.get("mixed") as string)).inference).toBe("mixed");
    expect((await collectionMetadata(collections.get("server") as string)).inference).toBe("server");
  });

  it("server-mode workers load no model", () => {
    const worker = (stacks.get("server") as IngestionStack).workers[0] as ServiceProcess;
    expect(logLines(worker, "no models loaded: the store embeds documents (INFERENCE=server)")).toHaveLength(
      1,
    );
    expect(logLines(worker, "models loaded")).toHaveLength(0);
  });

  it("stores the same dense vectors in every mode (within 1e-6)", async () => {
    const [client, mixed, server] = await Promise.all(
      MODES.map((m) => storedPoints(collections.get(m) as string)),
    );
    expect(client?.size).toBe(ROWS.length);
    for (const row of ROWS) {
      const reference = client?.get(row.id)?.vector.dense as number[];
      for (const other of [mixed, server]) {
        const dense = other?.get(row.id)?.vector.dense as number[];
        expect(dense).toHaveLength(reference.length);
        for (const [i, x] of dense.entries())
          expect(Math.abs(x - (reference[i] as number))).toBeLessThan(1e-6);
      }
    }
  });

  it("stores Qdrant's BM25 in mixed and server modes, FastEmbed's in client mode (they differ on `_`)", async () => {
    const [client, mixed, server] = await Promise.all(
      MODES.map((m) => storedPoints(collections.get(m) as string)),
    );
    let differing = 0;
    for (const row of ROWS) {
      const qdrantBm25 = asMap(bm25DocumentVector(`${row.title}. ${row.text}`, BM25));
      expect(asMap(mixed?.get(row.id)?.vector.sparse as StoredPoint["vector"]["sparse"])).toEqual(qdrantBm25);
      expect(asMap(server?.get(row.id)?.vector.sparse as StoredPoint["vector"]["sparse"])).toEqual(
        qdrantBm25,
      );
      const fastembed = asMap(client?.get(row.id)?.vector.sparse as StoredPoint["vector"]["sparse"]);
      if (row.title.includes("_")) differing += 1;
      else expect(fastembed).toEqual(qdrantBm25);
    }
    expect(differing).toBe(8);
  });
});

describe("the query API follows each collection's mode", () => {
  async function search(collection: string, query: string, mode = "hybrid") {
    const response = await fetch(`${queryApi.url}/v1/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, collection, limit: 10, mode }),
    });
    const body = (await response.json()) as { hits: Array<{ score: number; payload: { id: string } }> };
    expect(response.status, JSON.stringify(body)).toBe(200);
    // Point ids derive from the collection name; the row id is the payload's.
    return body.hits.map((h) => ({ row: h.payload.id, score: h.score }));
  }

  /**
   * Scores in order, and the rows above the last score: equal scores (same term counts and lengths) are ordered by
   * point id, which derives from the collection name, so tied rows may swap or trade the last place.
   */
  const comparable = (hits: Array<{ row: string; score: number }>) => {
    const last = hits[hits.length - 1]?.score;
    const above = hits.filter((h) => h.score !== last).map((h) => `${h.score} ${h.row}`);
    return { scores: hits.map((h) => h.score), above: above.sort() };
  };

  it("answers the same dense and sparse top 10 (rows and scores) in mixed and server modes", async () => {
    for (const query of [
      "statin cohort outcome",
      "sleep and memory in elderly women",
      "vitamin dose trial",
    ]) {
      for (const mode of ["dense", "sparse"]) {
        const [mixed, server] = await Promise.all(
          (["mixed", "server"] as const).map((m) => search(collections.get(m) as string, query, mode)),
        );
        expect(mixed, `${mode}: ${query}`).toHaveLength(10);
        expect(comparable(server ?? []), `${mode}: ${query}`).toEqual(comparable(mixed ?? []));
      }
    }
  });

  it("answers hybrid (RRF) searches in every mode", async () => {
    // Fused lists are not compared across these collections: RRF ties (rank 1 + rank 3 = rank 3 + rank 1) and ties at
    // the prefetch cut are broken by point id, which derives from the collection name. The equivalence test compares
    // them in two stores under one collection name.
    for (const query of ["statin cohort outcome", "sleep and memory in elderly women"]) {
      const lists = await Promise.all(MODES.map((m) => search(collections.get(m) as string, query)));
      for (const hits of lists) expect(hits).toHaveLength(10);
    }
  });
});

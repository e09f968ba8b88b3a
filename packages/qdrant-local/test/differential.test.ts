import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QdrantLocal, startQdrantLocal } from "../src/index.js";
import { compareOutcomes, compareRecords } from "./oracle/compare.js";
import { generateBooleanWorkload } from "./oracle/generate-boolean-workload.js";
import { generateWorkload } from "./oracle/generate-workload.js";
import { ensureOracleVenv } from "./oracle/python-env.js";
import { runOnLocal } from "./oracle/run-local.js";
import { type OracleResults, runOnClientLocal, runOnEdge } from "./oracle/run-oracle.js";
import type { QueryJson, Workload } from "./oracle/workload.js";

// Differential test: seeded random workloads run on the local mode and on Qdrant's engine (qdrant-edge-py, pinned in
// oracle/requirements.txt); every query must agree. CI runs the fixed seed; for a longer run:
//   ORACLE_SEED=7 ORACLE_WORKLOADS=2000 pnpm -F @hybrid/qdrant-local exec vitest run test/differential.test.ts
// Disagreements of the latest run are written to .cache/oracle-failures/ (the workload up to the step, both answers).
const SEED = Number(process.env.ORACLE_SEED ?? 1);
const WORKLOADS = Number(process.env.ORACLE_WORKLOADS ?? 120);
const FAILURES = fileURLToPath(new URL("../.cache/oracle-failures/", import.meta.url));

let python: string;
let server: QdrantLocal;
let client: QdrantClient;

beforeAll(async () => {
  rmSync(FAILURES, { recursive: true, force: true });
  python = await ensureOracleVenv();
  server = await startQdrantLocal({ port: 0 });
  client = new QdrantClient({ url: server.url });
}, 300_000);

afterAll(async () => {
  await server?.close();
});

function record(workload: Workload, step: number, why: string, expected: unknown, local: unknown): string {
  mkdirSync(FAILURES, { recursive: true });
  const file = `${FAILURES}${workload.id}-step${step}.json`;
  const trimmed = { ...workload, steps: workload.steps.slice(0, step + 1) };
  writeFileSync(file, JSON.stringify({ why, workload: trimmed, expected, local }, null, 1));
  return `${workload.id} step ${step}: ${why}\n      (${file})`;
}

/** Runs each workload on the local mode and compares every query with the oracle's answers; returns the disagreements. */
async function disagreements(
  workloads: Workload[],
  oracle: OracleResults,
): Promise<{ problems: string[]; queries: number; answered: number }> {
  const problems: string[] = [];
  let queries = 0;
  // Queries the oracle answered with at least one point: guards against a generator that only asks empty questions.
  let answered = 0;
  for (const workload of workloads) {
    const local = await runOnLocal(client, workload);
    const expected = oracle[workload.id] ?? [];
    workload.steps.forEach((step, i) => {
      const e = expected[i];
      const l = local[i];
      if ("retrieve" in step) {
        const why = e && l && "records" in e && "records" in l ? compareRecords(e, l) : "missing records";
        if (why) problems.push(record(workload, i, why, e, l));
        return;
      }
      if (!("query" in step)) return;
      queries++;
      const body: QueryJson = step.query;
      if (e && "points" in e && e.points.length > 0) answered++;
      const why =
        e && l && !("records" in e) && !("records" in l)
          ? compareOutcomes(e, l, { limit: body.limit, offset: body.offset ?? 0 })
          : "missing result";
      if (why) problems.push(record(workload, i, why, e, l));
    });
  }
  return { problems, queries, answered };
}

describe("local mode against Qdrant's engine (qdrant-edge-py)", () => {
  it(`agrees on every query of ${WORKLOADS} seeded workloads (seed ${SEED})`, async () => {
    const workloads = Array.from({ length: WORKLOADS }, (_, i) => generateWorkload(SEED * 100_003 + i));
    const { problems, queries, answered } = await disagreements(
      workloads,
      await runOnEdge(python, workloads),
    );
    expect(queries).toBeGreaterThan(WORKLOADS * 20);
    expect(answered / queries).toBeGreaterThan(0.5);
    expect(problems.slice(0, 10), `${problems.length} disagreements of ${queries} queries`).toEqual([]);
  }, 600_000);

  // Edge 0.9.0's Python MatchValue reads True as the integer 1, so boolean matches go to the client's local mode.
  it("agrees with the Python client's local mode on boolean matches", async () => {
    const count = Math.max(10, Math.round(WORKLOADS / 4));
    const workloads = Array.from({ length: count }, (_, i) => generateBooleanWorkload(SEED * 100_003 + i));
    const { problems, queries, answered } = await disagreements(
      workloads,
      await runOnClientLocal(python, workloads),
    );
    expect(queries).toBe(count * 20);
    expect(answered / queries).toBeGreaterThan(0.5);
    expect(problems.slice(0, 10), `${problems.length} disagreements of ${queries} queries`).toEqual([]);
  }, 600_000);
});

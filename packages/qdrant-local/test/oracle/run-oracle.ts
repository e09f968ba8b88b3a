import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { CLIENT_LOCAL_RUNNER, EDGE_RUNNER } from "./python-env.js";
import type { Workload } from "./workload.js";

const run = promisify(execFile);

const Id = z.union([z.number(), z.string()]);
const Sparse = z.object({ indices: z.array(z.number()), values: z.array(z.number()) });
const Outcome = z.union([
  z.object({ points: z.array(z.tuple([Id, z.number()])) }),
  z.object({ error: z.string() }),
  z.object({
    records: z.array(
      z.object({
        id: Id,
        payload: z.unknown(),
        vector: z.record(z.string(), z.union([z.array(z.number()), Sparse])),
      }),
    ),
  }),
]);
/** What an oracle answered: per workload id, per step, null for an update, else the query or retrieve outcome. */
const OracleResults = z.record(z.string(), z.array(Outcome.nullable()));
export type OracleResults = z.infer<typeof OracleResults>;

/** Runs the workloads through Qdrant Edge in one Python process. */
export function runOnEdge(python: string, workloads: Workload[]): Promise<OracleResults> {
  return runOnPython(python, EDGE_RUNNER, workloads);
}

/** Runs the workloads through the Python client's local mode (only for what Edge cannot express). */
export function runOnClientLocal(python: string, workloads: Workload[]): Promise<OracleResults> {
  return runOnPython(python, CLIENT_LOCAL_RUNNER, workloads);
}

async function runOnPython(python: string, script: string, workloads: Workload[]): Promise<OracleResults> {
  const dir = mkdtempSync(join(tmpdir(), "edge-workloads-"));
  try {
    const file = join(dir, "workloads.json");
    writeFileSync(file, JSON.stringify(workloads));
    const { stdout } = await run(python, [script, file], { maxBuffer: 512 * 1024 * 1024 });
    return OracleResults.parse(JSON.parse(stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

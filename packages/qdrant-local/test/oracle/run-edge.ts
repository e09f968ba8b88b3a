import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { EDGE_RUNNER } from "./python-env.js";
import type { Workload } from "./workload.js";

const run = promisify(execFile);

const Outcome = z.union([
  z.object({ points: z.array(z.tuple([z.union([z.number(), z.string()]), z.number()])) }),
  z.object({ error: z.string() }),
]);
/** Per workload id, per step: null for an update, the outcome for a query. */
const EdgeResults = z.record(z.string(), z.array(Outcome.nullable()));
export type EdgeResults = z.infer<typeof EdgeResults>;

/** Runs the workloads through Qdrant Edge in one Python process. */
export async function runOnEdge(python: string, workloads: Workload[]): Promise<EdgeResults> {
  const dir = mkdtempSync(join(tmpdir(), "edge-workloads-"));
  try {
    const file = join(dir, "workloads.json");
    writeFileSync(file, JSON.stringify(workloads));
    const { stdout } = await run(python, [EDGE_RUNNER, file], { maxBuffer: 512 * 1024 * 1024 });
    return EdgeResults.parse(JSON.parse(stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

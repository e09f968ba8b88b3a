// Replays a recorded disagreement (.cache/oracle-failures/*.json) with its last query replaced by variants, printing
// both engines' answers, to narrow a disagreement down by hand:
//   node --import tsx test/oracle/replay.ts .cache/oracle-failures/w7-step12.json '[{"limit": 5, "filter": {...}}]'
import { readFileSync } from "node:fs";
import { QdrantClient } from "@qdrant/js-client-rest";
import { startQdrantLocal } from "../../src/index.js";
import { ensureOracleVenv } from "./python-env.js";
import { runOnLocal } from "./run-local.js";
import { runOnEdge } from "./run-oracle.js";

const [file, variantsJson] = process.argv.slice(2) as [string, string];
const d = JSON.parse(readFileSync(file, "utf8"));
const w = d.workload;
const variants = JSON.parse(variantsJson);
w.steps = [...w.steps.slice(0, -1), ...variants.map((q: unknown) => ({ query: q }))];
const server = await startQdrantLocal({ port: 0 });
const local = await runOnLocal(new QdrantClient({ url: server.url }), w);
const edge = (await runOnEdge(await ensureOracleVenv(), [w]))[w.id] ?? [];
const n = variants.length;
for (let i = 0; i < n; i++) {
  console.log(JSON.stringify(variants[i]).slice(0, 120));
  console.log("  local", JSON.stringify(local[local.length - n + i]));
  console.log("  edge ", JSON.stringify(edge[edge.length - n + i]));
}
await server.close();

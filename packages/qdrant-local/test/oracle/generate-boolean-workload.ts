import { createRandom, type Random } from "./random.js";
import type { JsonObject, PointIdJson, QueryJson, Step, Workload } from "./workload.js";

// Workloads for the one filter Edge 0.9.0 cannot express, `match: {value: true|false}`, checked against the Python
// client's local mode instead. That implementation is looser than the engine elsewhere (it matches `true` against a
// stored 1), so these payloads keep booleans and integers under different keys and the filters stay simple.

function condition(r: Random): JsonObject {
  const roll = r.int(0, 5);
  if (roll < 3) return { key: r.pick(["flag", "tags[].on"]), match: { value: r.chance(0.5) } };
  if (roll === 3) return { key: "n", match: { value: r.int(0, 3) } };
  if (roll === 4) return { key: "n", range: { gte: r.int(0, 2) } };
  return { key: "flag", match: { any: [] } };
}

function filter(r: Random): JsonObject {
  const out: JsonObject = {};
  for (const clause of r.some(["must", "should", "must_not"] as const, r.int(1, 2)))
    out[clause] = Array.from({ length: r.int(1, 2) }, () => condition(r));
  return out;
}

function payload(r: Random): JsonObject {
  const p: JsonObject = {};
  if (r.chance(0.8)) p.flag = r.chance(0.2) ? [r.chance(0.5), r.chance(0.5)] : r.chance(0.5);
  if (r.chance(0.7)) p.n = r.int(0, 3);
  if (r.chance(0.4)) p.tags = Array.from({ length: r.int(0, 2) }, () => ({ on: r.chance(0.5) }));
  return p;
}

export function generateBooleanWorkload(seed: number, queries = 20): Workload {
  const r = createRandom(seed);
  const ids: PointIdJson[] = Array.from({ length: r.int(10, 30) }, (_, i) => i + 1);
  const vector = () => Array.from({ length: 4 }, () => Math.fround(r.float() * 2 - 1));
  const steps: Step[] = [
    {
      update: {
        op: "upsert",
        points: ids.map((id) => ({ id, vector: { v: vector() }, payload: payload(r) })),
      },
    },
  ];
  for (let asked = 0; asked < queries; ) {
    if (r.chance(0.2)) {
      steps.push({ update: { op: "set_payload", points: r.some(ids, r.int(1, 3)), payload: payload(r) } });
      continue;
    }
    const query: QueryJson = { query: vector(), using: "v", limit: r.int(1, 12), filter: filter(r) };
    if (r.chance(0.3)) query.offset = r.int(1, 3);
    steps.push({ query });
    asked++;
  }
  return {
    id: `b${seed}`,
    collection: { vectors: { v: { size: 4, distance: "Dot" } }, sparse_vectors: {} },
    steps,
  };
}

import { z } from "zod";
import type { SearchRow } from "./report.js";
import { LoadSamples, loadRound } from "./search-load.js";

/** A search service and the request paths it answers, one per query. */
export interface Target {
  url: string;
  paths: string[];
}

export type Targets = Record<"ours" | "tutorial", Target>;

const Answer = z.object({ result: z.array(z.looseObject({ _id: z.string() })) });

async function idsOf(target: Target, i: number): Promise<string[]> {
  const response = await fetch(`${target.url}${target.paths[i]}`);
  if (!response.ok) throw new Error(`${target.url}${target.paths[i]} answered ${response.status}`);
  return Answer.parse(await response.json()).result.map((hit) => hit._id);
}

/** Asks both services the first `count` queries one by one: the same documents (and order) from both? */
export async function compareAnswers(
  targets: Targets,
  count: number,
): Promise<{ queries: number; sameSet: number; sameOrder: number }> {
  let sameSet = 0;
  let sameOrder = 0;
  const n = Math.min(count, targets.ours.paths.length);
  for (let i = 0; i < n; i++) {
    const [ours, tutorial] = await Promise.all([idsOf(targets.ours, i), idsOf(targets.tutorial, i)]);
    if (ours.join() === tutorial.join()) sameOrder += 1;
    if ([...ours].sort().join() === [...tutorial].sort().join()) sameSet += 1;
  }
  return { queries: n, sameSet, sameOrder };
}

/**
 * For each concurrency, `rounds` short autocannon rounds per side, alternating (ours, tutorial, ours, ...), so bursts
 * of load from elsewhere on a shared machine fall on both; a short warm-up per side first.
 */
export async function runSearchLoad(
  targets: Targets,
  options: { concurrency: number[]; rounds: number; roundSeconds: number; log: (line: string) => void },
): Promise<{ rows: SearchRow[]; warmupRequests: Record<"ours" | "tutorial", number> }> {
  const sides = ["ours", "tutorial"] as const;
  const warmupRequests = { ours: 0, tutorial: 0 };
  for (const side of sides) {
    const warm = await loadRound(targets[side].url, targets[side].paths, 4, 2);
    warmupRequests[side] = warm.latenciesMs.length + warm.errors;
  }
  const rows: SearchRow[] = [];
  for (const connections of options.concurrency) {
    const samples = { ours: new LoadSamples(connections), tutorial: new LoadSamples(connections) };
    for (let round = 0; round < options.rounds; round++) {
      for (const side of sides) {
        const { latenciesMs, errors } = await loadRound(
          targets[side].url,
          targets[side].paths,
          connections,
          options.roundSeconds,
        );
        samples[side].addRound(latenciesMs, options.roundSeconds, errors);
      }
    }
    const row = {
      concurrency: connections,
      ours: samples.ours.figures(),
      tutorial: samples.tutorial.figures(),
    };
    options.log(
      `  c=${connections}: ours p50 ${row.ours.p50Ms} ms, ${row.ours.rps} req/s; ` +
        `tutorial p50 ${row.tutorial.p50Ms} ms, ${row.tutorial.rps} req/s`,
    );
    rows.push(row);
  }
  return { rows, warmupRequests };
}

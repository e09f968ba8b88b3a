import { mulberry32 } from "../../bench/data.js";

/** A seeded source of random choices for the workload generator. */
export interface Random {
  float(): number;
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `n` distinct items (fewer when there are not enough). */
  some<T>(items: readonly T[], n: number): T[];
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    float: next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(0, items.length - 1)] as (typeof items)[number],
    some(items, n) {
      const pool = [...items];
      const out: (typeof pool)[number][] = [];
      while (out.length < n && pool.length > 0)
        out.push(pool.splice(int(0, pool.length - 1), 1)[0] as (typeof pool)[number]);
      return out;
    },
  };
}

/** One ranked source list for fusion: slots best first with their scores. */
export type Ranked = ReadonlyArray<{ slot: number; score: number }>;

/** Reciprocal rank fusion as Qdrant computes it: `1 / ((pos + 1) / w + k - 1)` per list, summed in f32. */
export function fuseRrf(
  lists: readonly Ranked[],
  k: number,
  weights?: readonly number[],
): Map<number, number> {
  const scores = new Map<number, number>();
  lists.forEach((list, li) => {
    const w = Math.fround(weights?.[li] ?? 1);
    list.forEach(({ slot }, pos) => {
      // Each step rounded to f32 as Qdrant does: with k = 1 and w = 1.5 the top item scores 1.4999999, not 1.5.
      const add = w > 0 ? Math.fround(1 / Math.fround(Math.fround(Math.fround((pos + 1) / w) + k) - 1)) : 0;
      scores.set(slot, Math.fround((scores.get(slot) ?? 0) + add));
    });
  });
  return scores;
}

/** Distribution-based score fusion: each list scaled by mean ± 3 sample standard deviations, then summed. */
export function fuseDbsf(lists: readonly Ranked[]): Map<number, number> {
  const scores = new Map<number, number>();
  for (const list of lists) {
    const n = list.length;
    if (n === 0) continue;
    let normalize: (s: number) => number;
    if (n === 1) normalize = () => 0.5;
    else {
      let mean = 0;
      for (const { score } of list) mean += score;
      mean /= n;
      let ss = 0;
      for (const { score } of list) ss += (score - mean) ** 2;
      const sd = Math.sqrt(ss / (n - 1));
      const lo = Math.fround(mean - 3 * sd);
      const hi = Math.fround(mean + 3 * sd);
      normalize = hi === lo ? () => 0.5 : (s) => Math.fround((s - lo) / (hi - lo));
    }
    for (const { slot, score } of list)
      scores.set(slot, Math.fround((scores.get(slot) ?? 0) + normalize(score)));
  }
  return scores;
}

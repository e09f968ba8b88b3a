import type { PointIdJson, QueryOutcome } from "./workload.js";

/** Scores agree within 1e-5, relative for large magnitudes (Euclid/Manhattan/Dot grow with the dimension). */
export function scoresAgree(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a), Math.abs(b));
}

function sameIds(a: PointIdJson[], b: PointIdJson[]): boolean {
  const set = new Set(a.map(String));
  return a.length === b.length && b.every((id) => set.has(String(id)));
}

/**
 * Why `local` differs from `expected` (Qdrant's engine), or undefined when they agree. Ids must come in the same
 * order except within a run of equal scores: Qdrant does not order ties (RRF sums in a hash map), so inside a run
 * the ids are compared as sets, and a run that touches a cut (the end of a full page, or the start when an offset
 * skipped points) may hold different members of the tie.
 */
export function compareOutcomes(
  expected: QueryOutcome,
  local: QueryOutcome,
  page: { limit: number; offset: number },
): string | undefined {
  if ("error" in expected || "error" in local) {
    if ("error" in expected && "error" in local) return undefined;
    return "error" in expected
      ? `engine refused (${expected.error}), local answered`
      : `local refused (${"error" in local ? local.error : ""})`;
  }
  const a = expected.points;
  const b = local.points;
  const show = () => `engine ${JSON.stringify(a)}\n      local  ${JSON.stringify(b)}`;
  if (a.length !== b.length)
    return `${a.length} points from the engine, ${b.length} locally:\n      ${show()}`;
  for (let i = 0; i < a.length; i++)
    if (!scoresAgree((a[i] as [PointIdJson, number])[1], (b[i] as [PointIdJson, number])[1]))
      return `score at position ${i} differs:\n      ${show()}`;
  const full = a.length === page.limit;
  let start = 0;
  while (start < a.length) {
    let end = start + 1;
    while (
      end < a.length &&
      scoresAgree((a[end - 1] as [PointIdJson, number])[1], (a[end] as [PointIdJson, number])[1])
    )
      end++;
    const atCut = (end === a.length && full) || (start === 0 && page.offset > 0);
    const ids = (list: Array<[PointIdJson, number]>) => list.slice(start, end).map(([id]) => id);
    if (!atCut && !sameIds(ids(a), ids(b)))
      return `ids at positions ${start}..${end - 1} differ:\n      ${show()}`;
    start = end;
  }
  return undefined;
}

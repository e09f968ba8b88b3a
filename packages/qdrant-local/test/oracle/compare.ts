import type { PointIdJson, QueryOutcome, RetrieveOutcome, SparseJson } from "./workload.js";

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

function sameVector(a: number[] | SparseJson | undefined, b: number[] | SparseJson | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => scoresAgree(x, b[i] as number));
  }
  // Sparse vectors as index -> value maps: storage may reorder the indices.
  const values = new Map(a.indices.map((index, i) => [index, a.values[i] as number]));
  return (
    a.indices.length === b.indices.length &&
    b.indices.every(
      (index, i) => values.has(index) && scoresAgree(values.get(index) as number, b.values[i] as number),
    )
  );
}

/** Why the points read back differ (existence, payload, vectors), or undefined when they agree. */
export function compareRecords(expected: RetrieveOutcome, local: RetrieveOutcome): string | undefined {
  const mine = new Map(local.records.map((r) => [String(r.id), r]));
  if (mine.size !== expected.records.length)
    return `${expected.records.length} points exist in the engine, ${mine.size} locally`;
  for (const theirs of expected.records) {
    const r = mine.get(String(theirs.id));
    if (!r) return `point ${theirs.id} is missing locally`;
    if (JSON.stringify(sortKeys(r.payload)) !== JSON.stringify(sortKeys(theirs.payload)))
      return `payload of ${theirs.id}: engine ${JSON.stringify(theirs.payload)}, local ${JSON.stringify(r.payload)}`;
    const names = new Set([...Object.keys(r.vector), ...Object.keys(theirs.vector)]);
    for (const name of names)
      if (!sameVector(theirs.vector[name], r.vector[name]))
        return `vector ${name} of ${theirs.id}: engine ${JSON.stringify(theirs.vector[name])}, local ${JSON.stringify(r.vector[name])}`;
  }
  return undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}

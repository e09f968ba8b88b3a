import type { ScoredPoint } from "@hybrid/store";
import type { SearchHit } from "./search-schemas.js";

/**
 * Hits in a deterministic order: score descending, then id ascending for ties (Qdrant leaves the order of equal
 * scores unspecified). Numeric ids sort before UUIDs and numerically among themselves, as Qdrant orders ids.
 */
export function orderHits(points: readonly ScoredPoint[], withPayload: boolean): SearchHit[] {
  const hits = points.map((p) => {
    const hit: SearchHit = { id: p.id, score: p.score };
    if (withPayload) hit.payload = p.payload ?? {};
    return hit;
  });
  return hits.sort(compareHits);
}

export function compareHits(a: Pick<SearchHit, "id" | "score">, b: Pick<SearchHit, "id" | "score">): number {
  if (a.score !== b.score) return b.score - a.score;
  return compareIds(a.id, b.id);
}

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

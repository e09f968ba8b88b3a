import type { Fusion } from "./search-schemas.js";

/** Qdrant's default RRF k (`{"fusion": "rrf"}`). */
export const DEFAULT_RRF_K = 2;

/** The fusion a hybrid search asked for, with Qdrant's defaults filled in. */
export type FusionSettings =
  | { method: "rrf"; k: number; weights: { dense: number; sparse: number } }
  | { method: "dbsf" };

/** One point of a prefetch list, best first, as Qdrant answered it. */
export interface ListPoint {
  id: string | number;
  score: number;
}

/** Where a hit stood in one prefetch list and what that list added to its fused score. */
export interface ListContribution {
  /** 1-based position in the list. */
  rank: number;
  /** The list's own score (cosine similarity for dense, BM25 for sparse). */
  score: number;
  /** RRF: `1 / (rank / w + k - 1)` (`1 / (rank + k - 1)` unweighted); DBSF: the list's normalised score. */
  contribution: number;
}

export interface HitExplanation {
  /** null: the point was not retrieved by the dense prefetch. */
  dense: ListContribution | null;
  /** null: the point was not retrieved by the sparse prefetch. */
  sparse: ListContribution | null;
  /** The sum of the contributions in f32, as Qdrant sums them; equals the hit's score. */
  fusedScore: number;
}

/** DBSF's scaling of one list: scores mapped from [low, high] = mean ± 3 sample standard deviations onto [0, 1]. */
export interface Normalization {
  mean: number;
  sd: number;
  low: number;
  high: number;
}

export interface FusionExplanation {
  byId: Map<string, HitExplanation>;
  /** DBSF only; null for an empty list, or one where every point scores 0.5 (one point, or all scores equal). */
  normalization?: { dense: Normalization | null; sparse: Normalization | null };
}

export function fusionSettings(fusion: Fusion): FusionSettings {
  if (fusion === "dbsf" || (typeof fusion === "object" && fusion.type === "dbsf")) return { method: "dbsf" };
  if (typeof fusion === "string")
    return { method: "rrf", k: DEFAULT_RRF_K, weights: { dense: 1, sparse: 1 } };
  return {
    method: "rrf",
    k: fusion.k ?? DEFAULT_RRF_K,
    weights: fusion.weights ?? { dense: 1, sparse: 1 },
  };
}

/** A map key that keeps the integer id 1 apart from the string id "1". */
export function idKey(id: string | number): string {
  return `${typeof id}:${id}`;
}

/**
 * Recomputes the fusion Qdrant applied to the dense and sparse prefetch lists, point by point, so a caller can see
 * why a hit ranks where it does. The arithmetic follows Qdrant's (f32 sums, dense list first), so `fusedScore`
 * matches the score Qdrant answered for the same lists.
 */
export function explainFusion(
  settings: FusionSettings,
  lists: { dense: readonly ListPoint[]; sparse: readonly ListPoint[] },
): FusionExplanation {
  const byId = new Map<string, HitExplanation>();
  const entry = (id: string | number) => {
    const key = idKey(id);
    let found = byId.get(key);
    if (!found) {
      found = { dense: null, sparse: null, fusedScore: 0 };
      byId.set(key, found);
    }
    return found;
  };

  if (settings.method === "rrf") {
    for (const name of ["dense", "sparse"] as const) {
      const weight = settings.weights[name];
      lists[name].forEach((point, position) => {
        const rank = position + 1;
        // A weight of 0 keeps the point listed but adds nothing, as in Qdrant.
        const contribution = weight > 0 ? Math.fround(1 / (rank / weight + settings.k - 1)) : 0;
        const hit = entry(point.id);
        hit[name] = { rank, score: point.score, contribution };
        hit.fusedScore = Math.fround(hit.fusedScore + contribution);
      });
    }
    return { byId };
  }

  const normalization = { dense: normalizationOf(lists.dense), sparse: normalizationOf(lists.sparse) };
  for (const name of ["dense", "sparse"] as const) {
    const scale = normalization[name];
    lists[name].forEach((point, position) => {
      const contribution = scale ? Math.fround((point.score - scale.low) / (scale.high - scale.low)) : 0.5;
      const hit = entry(point.id);
      hit[name] = { rank: position + 1, score: point.score, contribution };
      hit.fusedScore = Math.fround(hit.fusedScore + contribution);
    });
  }
  return { byId, normalization };
}

/** Mean ± 3 sample standard deviations (n - 1); null when the list has fewer than two points or no spread. */
function normalizationOf(list: readonly ListPoint[]): Normalization | null {
  const n = list.length;
  if (n < 2) return null;
  const mean = list.reduce((sum, p) => sum + p.score, 0) / n;
  const sd = Math.sqrt(list.reduce((sum, p) => sum + (p.score - mean) ** 2, 0) / (n - 1));
  const low = Math.fround(mean - 3 * sd);
  const high = Math.fround(mean + 3 * sd);
  if (low === high) return null;
  return { mean, sd, low, high };
}

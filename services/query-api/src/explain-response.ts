import { prefetchLimitOf, type ScoredPoint } from "@hybrid/store";
import { explainFusion, fusionSettings, idKey } from "./explain-fusion.js";
import type { Explanation, SearchHit, SearchRequest } from "./search-schemas.js";

/**
 * Hits with their explanation, and the explanation of the whole search, from the dense and sparse prefetch lists
 * (answered by `buildPrefetchListBodies`). Payloads go on the first `offset + limit` points of each list only: enough
 * to show the three lists side by side without sending every candidate's payload.
 */
export function explainHits(
  request: SearchRequest,
  hits: SearchHit[],
  lists: { dense: readonly ScoredPoint[]; sparse: readonly ScoredPoint[] },
): { hits: SearchHit[]; explain: Explanation } {
  const fusion = fusionSettings(request.fusion);
  const { byId, normalization } = explainFusion(fusion, lists);
  const shown = request.offset + request.limit;
  const withPayload = request.withPayload !== false;
  const listOf = (points: readonly ScoredPoint[]) =>
    points.map((p, i) => ({
      id: p.id,
      score: p.score,
      ...(withPayload && i < shown ? { payload: p.payload ?? {} } : {}),
    }));
  return {
    // A hit missing from both lists can only come from a write between the calls; it is shown as retrieved by neither.
    hits: hits.map((hit) => ({
      ...hit,
      explain: byId.get(idKey(hit.id)) ?? { dense: null, sparse: null, fusedScore: 0 },
    })),
    explain: {
      fusion,
      prefetchLimit: prefetchLimitOf(request),
      lists: { dense: listOf(lists.dense), sparse: listOf(lists.sparse) },
      ...(normalization ? { normalization } : {}),
    },
  };
}

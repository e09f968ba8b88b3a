import type { Qrels } from "./beir.js";

/** One retrieved document as the query API returns it. */
export interface ScoredDoc {
  id: string;
  score: number;
}

/** The reported metrics, in report order. */
export const METRICS = ["ndcg@10", "recall@100", "mrr@10"] as const;
export type Metric = (typeof METRICS)[number];
export type MetricValues = Record<Metric, number>;

/**
 * Orders results as trec_eval does before scoring: score descending, ties broken by document id in descending
 * string order (trec_eval's `strcmp(b, a)`); the order the results came in is ignored. A document listed twice keeps
 * only its best-placed entry (trec_eval refuses such runs outright).
 */
export function rankLikeTrecEval(results: readonly ScoredDoc[]): string[] {
  const sorted = [...results].sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const seen = new Set<string>();
  const ranked: string[] = [];
  for (const { id } of sorted) {
    if (seen.has(id)) continue;
    seen.add(id);
    ranked.push(id);
  }
  return ranked;
}

/** Grade of a document for a query: the judged grade, 0 for unjudged documents. Negative grades count as 0. */
function gainOf(judged: ReadonlyMap<string, number>, id: string): number {
  return Math.max(0, judged.get(id) ?? 0);
}

/**
 * nDCG@k as trec_eval's `ndcg_cut`: gain = the raw grade, discount log2(rank + 1); the ideal ranking is the judged
 * documents sorted by grade. 0 when the query has no document with a positive grade.
 */
export function ndcgAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) {
    const gain = gainOf(judged, ranked[i] as string);
    if (gain > 0) dcg += gain / Math.log2(i + 2);
  }
  const ideal = [...judged.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += (ideal[i] as number) / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** Recall@k: relevant (grade ≥ 1) documents in the top k over all relevant judged documents; 0 when there are none. */
export function recallAt(ranked: readonly string[], judged: ReadonlyMap<string, number>, k: number): number {
  let relevant = 0;
  for (const grade of judged.values()) if (grade >= 1) relevant += 1;
  if (relevant === 0) return 0;
  let found = 0;
  for (const id of ranked.slice(0, k)) if ((judged.get(id) ?? 0) >= 1) found += 1;
  return found / relevant;
}

/** MRR@k: 1 / rank of the first relevant (grade ≥ 1) document within the top k, else 0. */
export function reciprocalRankAt(
  ranked: readonly string[],
  judged: ReadonlyMap<string, number>,
  k: number,
): number {
  const limit = Math.min(k, ranked.length);
  for (let i = 0; i < limit; i++) if ((judged.get(ranked[i] as string) ?? 0) >= 1) return 1 / (i + 1);
  return 0;
}

/** The three reported metrics for one query's results. */
export function evaluateQuery(
  results: readonly ScoredDoc[],
  judged: ReadonlyMap<string, number>,
): MetricValues {
  const ranked = rankLikeTrecEval(results);
  return {
    "ndcg@10": ndcgAt(ranked, judged, 10),
    "recall@100": recallAt(ranked, judged, 100),
    "mrr@10": reciprocalRankAt(ranked, judged, 10),
  };
}

export interface RunEvaluation {
  /** Means over every query in the qrels. */
  mean: MetricValues;
  perQuery: Map<string, MetricValues>;
  /** Queries in the qrels (the denominator of every mean). */
  queries: number;
  /** Queries in the qrels with no document graded ≥ 1: they score 0 and still count, as in trec_eval. */
  withoutRelevant: number;
  /** Queries in the qrels the run has no results for: they score 0 (trec_eval `-c`). */
  withoutResults: number;
}

/**
 * Scores a run against qrels the way trec_eval does: only queries present in the qrels are evaluated (run entries
 * for other queries are ignored); a judged query missing from the run scores 0 and counts in the mean.
 */
export function evaluateRun(run: ReadonlyMap<string, readonly ScoredDoc[]>, qrels: Qrels): RunEvaluation {
  const perQuery = new Map<string, MetricValues>();
  const sum: MetricValues = { "ndcg@10": 0, "recall@100": 0, "mrr@10": 0 };
  let withoutRelevant = 0;
  let withoutResults = 0;
  for (const [qid, judged] of qrels) {
    if (![...judged.values()].some((g) => g >= 1)) withoutRelevant += 1;
    const results = run.get(qid);
    if (!results) withoutResults += 1;
    const values = evaluateQuery(results ?? [], judged);
    perQuery.set(qid, values);
    for (const metric of Object.keys(sum) as Metric[]) sum[metric] += values[metric];
  }
  const n = qrels.size;
  const mean: MetricValues = {
    "ndcg@10": n ? sum["ndcg@10"] / n : 0,
    "recall@100": n ? sum["recall@100"] / n : 0,
    "mrr@10": n ? sum["mrr@10"] / n : 0,
  };
  return { mean, perQuery, queries: n, withoutRelevant, withoutResults };
}

/**
 * What a ranking drawn uniformly at random from `documents` documents scores in expectation, per metric, averaged
 * over the judged queries: the floor "well above random" is measured against. Exact, not simulated: at rank i a
 * random ranking holds each document with probability 1/N, so E[DCG@k] is the judged gains' sum over N times the
 * discount sum; E[Recall@k] = k/N; the first relevant document sits at rank i with the hypergeometric probability.
 * Judged documents missing from the corpus are counted as present.
 */
export function randomExpectation(qrels: Qrels, documents: number): MetricValues {
  const n = documents;
  const sum: MetricValues = { "ndcg@10": 0, "recall@100": 0, "mrr@10": 0 };
  if (n <= 0 || qrels.size === 0) return sum;
  for (const judged of qrels.values()) {
    const grades = [...judged.values()];
    const relevant = grades.filter((g) => g >= 1).length;
    const gains = grades.reduce((total, g) => total + Math.max(0, g), 0);
    const ideal = grades.filter((g) => g > 0).sort((a, b) => b - a);
    let idcg = 0;
    let discounts = 0;
    for (let i = 0; i < Math.min(10, n); i++) {
      discounts += 1 / Math.log2(i + 2);
      if (i < ideal.length) idcg += (ideal[i] as number) / Math.log2(i + 2);
    }
    if (idcg > 0) sum["ndcg@10"] += ((gains / n) * discounts) / idcg;
    if (relevant > 0) sum["recall@100"] += Math.min(100, n) / n;
    let noneYet = 1;
    for (let i = 0; i < Math.min(10, n); i++) {
      const left = n - i;
      sum["mrr@10"] += (noneYet * Math.min(relevant, left)) / left / (i + 1);
      noneYet *= Math.max(0, left - relevant) / left;
    }
  }
  return {
    "ndcg@10": sum["ndcg@10"] / qrels.size,
    "recall@100": sum["recall@100"] / qrels.size,
    "mrr@10": sum["mrr@10"] / qrels.size,
  };
}

import { describe, expect, it } from "vitest";
import type { Qrels } from "./beir.js";
import {
  evaluateQuery,
  evaluateRun,
  ndcgAt,
  randomExpectation,
  rankLikeTrecEval,
  recallAt,
  reciprocalRankAt,
  type ScoredDoc,
} from "./metrics.js";

/** Results in the given order with strictly falling scores, so ranking keeps the order. */
function listed(...ids: string[]): ScoredDoc[] {
  return ids.map((id, i) => ({ id, score: 100 - i }));
}
const judged = (entries: Record<string, number>) => new Map(Object.entries(entries));
const LOG2_3 = Math.log2(3);

describe("rankLikeTrecEval", () => {
  it("orders by score, whatever order the results arrive in", () => {
    expect(
      rankLikeTrecEval([
        { id: "a", score: 0.1 },
        { id: "b", score: 0.9 },
        { id: "c", score: 0.5 },
      ]),
    ).toEqual(["b", "c", "a"]);
  });

  it("breaks ties by document id in descending string order, as trec_eval's strcmp(b, a)", () => {
    const tied = [
      { id: "10", score: 1 },
      { id: "9", score: 1 },
      { id: "2", score: 1 },
      { id: "x", score: 2 },
    ];
    // "9" > "2" > "10" as strings.
    expect(rankLikeTrecEval(tied)).toEqual(["x", "9", "2", "10"]);
  });

  it("keeps only the best-placed entry of a document listed twice", () => {
    expect(
      rankLikeTrecEval([
        { id: "a", score: 3 },
        { id: "b", score: 2 },
        { id: "a", score: 1 },
      ]),
    ).toEqual(["a", "b"]);
  });
});

describe("nDCG@10", () => {
  it("uses the raw grade as gain and log2(rank + 1) as discount (graded relevance)", () => {
    // ranks: d (grade 0), c (1), a (3), x (unjudged); ideal: 3, 2, 1.
    const value = ndcgAt(["d", "c", "a", "x"], judged({ a: 3, b: 2, c: 1, d: 0 }), 10);
    const dcg = 1 / LOG2_3 + 3 / 2;
    const idcg = 3 + 2 / LOG2_3 + 1 / 2;
    expect(value).toBeCloseTo(dcg / idcg, 12);
    expect(value).toBeCloseTo(0.4475, 4);
  });

  it("scores unjudged documents as non-relevant (missing judgments)", () => {
    expect(ndcgAt(["x", "y", "a"], judged({ a: 1 }), 10)).toBeCloseTo(1 / 2, 12);
  });

  it("compares with the ideal ranking of all judged relevant documents when fewer results than the cut-off come back", () => {
    expect(ndcgAt(["a"], judged({ a: 1, b: 1 }), 10)).toBeCloseTo(1 / (1 + 1 / LOG2_3), 12);
    expect(ndcgAt([], judged({ a: 1 }), 10)).toBe(0);
  });

  it("cuts the ideal ranking at 10 too, so ten relevant hits out of twelve score 1", () => {
    const grades = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`r${i}`, 1]));
    const ranked = Array.from({ length: 10 }, (_, i) => `r${i}`);
    expect(ndcgAt(ranked, judged(grades), 10)).toBeCloseTo(1, 12);
  });

  it("ignores a relevant document below rank 10", () => {
    const ranked = [...Array.from({ length: 10 }, (_, i) => `n${i}`), "a"];
    expect(ndcgAt(ranked, judged({ a: 2 }), 10)).toBe(0);
  });

  it("is 0 for a query with no relevant judged document", () => {
    expect(ndcgAt(["a", "b"], judged({ a: 0, b: 0 }), 10)).toBe(0);
  });
});

describe("Recall@100 and MRR@10", () => {
  it("count grade ≥ 1 as relevant, whatever the grade", () => {
    const grades = judged({ a: 3, b: 2, c: 1, d: 0 });
    expect(recallAt(["d", "c", "a", "x"], grades, 100)).toBeCloseTo(2 / 3, 12);
    expect(reciprocalRankAt(["d", "c", "a", "x"], grades, 10)).toBe(1 / 2);
  });

  it("stop at their cut-offs", () => {
    const ranked = Array.from({ length: 150 }, (_, i) => `n${i}`);
    ranked[10] = "a"; // rank 11
    ranked[120] = "b"; // rank 121
    const grades = judged({ a: 1, b: 1 });
    expect(reciprocalRankAt(ranked, grades, 10)).toBe(0);
    expect(reciprocalRankAt(ranked, grades, 11)).toBeCloseTo(1 / 11, 12);
    expect(recallAt(ranked, grades, 100)).toBe(1 / 2);
  });

  it("are 0 for a query with no relevant document rather than dividing by zero", () => {
    expect(recallAt(["a"], judged({ a: 0 }), 100)).toBe(0);
    expect(reciprocalRankAt(["a"], judged({ a: 0 }), 10)).toBe(0);
  });
});

describe("evaluateQuery", () => {
  it("re-ranks tied scores before scoring, so the tie-break decides a cut-off", () => {
    // Eleven documents tied: in descending id order every "n<i>" comes before "a" ("n" > "a"), so "a" is ranked 11th
    // and misses the top 10 even though it was sent first.
    const tied = [
      { id: "a", score: 1 },
      ...Array.from({ length: 10 }, (_, i) => ({ id: `n${i}`, score: 1 })),
    ];
    const values = evaluateQuery(tied, judged({ a: 1 }));
    expect(values["mrr@10"]).toBe(0);
    expect(values["ndcg@10"]).toBe(0);
    expect(values["recall@100"]).toBe(1);
  });
});

describe("evaluateRun", () => {
  const qrels: Qrels = new Map([
    ["q1", judged({ a: 1 })],
    ["q2", judged({ b: 2, c: 1 })],
    ["q3", judged({ d: 0 })], // judged, but nothing relevant
    ["q4", judged({ e: 1 })], // judged, but absent from the run
  ]);
  const run = new Map<string, ScoredDoc[]>([
    ["q1", listed("a")],
    ["q2", listed("c", "b")],
    ["q3", listed("d")],
    ["q9", listed("z")], // not judged: ignored
  ]);

  it("averages over every judged query, scoring unanswered and relevant-less ones 0, ignoring unjudged ones", () => {
    const result = evaluateRun(run, qrels);
    expect(result.queries).toBe(4);
    expect(result.withoutRelevant).toBe(1);
    expect(result.withoutResults).toBe(1);
    const q2Ndcg = (1 + 2 / LOG2_3) / (2 + 1 / LOG2_3);
    expect(result.perQuery.get("q2")?.["ndcg@10"]).toBeCloseTo(q2Ndcg, 12);
    expect(result.perQuery.has("q9")).toBe(false);
    expect(result.mean["ndcg@10"]).toBeCloseTo((1 + q2Ndcg + 0 + 0) / 4, 12);
    expect(result.mean["recall@100"]).toBeCloseTo((1 + 1 + 0 + 0) / 4, 12);
    expect(result.mean["mrr@10"]).toBeCloseTo((1 + 1 + 0 + 0) / 4, 12);
  });

  it("gives zeros, not NaN, for empty qrels", () => {
    expect(evaluateRun(run, new Map()).mean).toEqual({ "ndcg@10": 0, "recall@100": 0, "mrr@10": 0 });
  });
});

describe("randomExpectation", () => {
  it("matches the hand-computed expectation on two documents, one relevant", () => {
    // Rank 1 holds the relevant document half the time, rank 2 the other half.
    const expected = randomExpectation(new Map([["q", judged({ a: 1 })]]), 2);
    expect(expected["ndcg@10"]).toBeCloseTo(0.5 + 0.5 / LOG2_3, 12);
    expect(expected["mrr@10"]).toBeCloseTo(0.5 + 0.5 * 0.5, 12);
    expect(expected["recall@100"]).toBe(1);
  });

  it("agrees with brute force over every ordering of four documents, graded", () => {
    const grades = judged({ a: 2, b: 1, c: 0 });
    const docs = ["a", "b", "c", "d"];
    const orders = permutations(docs);
    const mean = (metric: "ndcg@10" | "mrr@10") =>
      orders.reduce((s, order) => s + evaluateQuery(listed(...order), grades)[metric], 0) / orders.length;
    const expected = randomExpectation(new Map([["q", grades]]), 4);
    expect(expected["ndcg@10"]).toBeCloseTo(mean("ndcg@10"), 12);
    expect(expected["mrr@10"]).toBeCloseTo(mean("mrr@10"), 12);
  });
});

function permutations(items: string[]): string[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [item, ...p]),
  );
}

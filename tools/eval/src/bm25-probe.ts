import { stem as porter2 } from "porter2";
import type { CorpusRow } from "./beir.js";
import type { ScoredDoc } from "./metrics.js";

/**
 * An in-memory BM25, used only to explain the system's BM25 figure: it can mimic the recipe of FastEmbed's
 * `Qdrant/bm25` (the one the sparse mode uses) and vary one setting at a time (length normalisation, k1/b,
 * stemming, stopwords, title). It is a diagnostic, not a search path of the system.
 */
export interface Bm25Settings {
  name: string;
  k1: number;
  b: number;
  /** Average document length in the length normalisation: the corpus's own, or a fixed number (FastEmbed: 256). */
  avgLen: "corpus" | number;
  stem: boolean;
  stopwords: boolean;
  /** Index `title + " " + text` (true) or the text alone. */
  title: boolean;
}

/** FastEmbed's `Qdrant/bm25` recipe: k1 1.2, b 0.75, a fixed average length of 256, stopwords, Snowball stems. */
export const FASTEMBED_BM25: Bm25Settings = {
  name: "Qdrant/bm25 recipe",
  k1: 1.2,
  b: 0.75,
  avgLen: 256,
  stem: true,
  stopwords: true,
  title: true,
};

/** Lowercase, split on anything but letters, digits and `_`, drop stopwords and tokens over 40 chars, stem. */
export function analyze(
  text: string,
  settings: Pick<Bm25Settings, "stem" | "stopwords">,
  stopwords: Set<string>,
): string[] {
  const tokens: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}_]+/u)) {
    if (raw === "" || raw.length > 40) continue;
    if (settings.stopwords && stopwords.has(raw)) continue;
    tokens.push(settings.stem ? porter2(raw) : raw);
  }
  return tokens;
}

export interface Bm25Index {
  search(query: string, limit: number): ScoredDoc[];
  /** Mean analysed document length. */
  meanLength: number;
}

/** Builds the index over `rows` with `settings`; IDF is Lucene's (and Qdrant's `idf` modifier's) ln(1 + (N-n+.5)/(n+.5)). */
export function buildBm25Index(
  rows: readonly CorpusRow[],
  settings: Bm25Settings,
  stopwords: Set<string>,
): Bm25Index {
  const lengths: number[] = [];
  const postings = new Map<string, Array<[number, number]>>();
  rows.forEach((row, doc) => {
    const tokens = analyze(settings.title ? `${row.title} ${row.text}` : row.text, settings, stopwords);
    lengths.push(tokens.length);
    const tf = new Map<string, number>();
    for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [term, count] of tf) {
      let list = postings.get(term);
      if (!list) {
        list = [];
        postings.set(term, list);
      }
      list.push([doc, count]);
    }
  });
  const n = rows.length;
  const meanLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const avgLen = settings.avgLen === "corpus" ? meanLength : settings.avgLen;
  return {
    meanLength,
    search(query, limit) {
      const scores = new Map<number, number>();
      // Each distinct query term counts once, as FastEmbed's query vectors (all values 1) make it.
      for (const term of new Set(analyze(query, settings, stopwords))) {
        const list = postings.get(term);
        if (!list) continue;
        const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
        for (const [doc, tf] of list) {
          const norm = settings.k1 * (1 - settings.b + (settings.b * (lengths[doc] ?? 0)) / avgLen);
          scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (settings.k1 + 1)) / (tf + norm));
        }
      }
      return [...scores]
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit)
        .map(([doc, score]) => ({ id: rows[doc]?.id ?? "", score }));
    },
  };
}

import murmurhash from "murmurhash";
import { stem } from "porter2";
import { BM25_MODEL } from "./catalogue.js";
import type { SparseEncoder, SparseVector } from "./encoder.js";
import { ENGLISH_STOPWORDS } from "./stopwords.js";

/** Parameters of FastEmbed's `Qdrant/bm25` (and Qdrant's server-side BM25). */
export const BM25_PARAMS = { k: 1.2, b: 0.75, avgLen: 256, maxTokenLength: 40 } as const;

const STOPWORDS = new Set(ENGLISH_STOPWORDS);
const NOT_WORD = /[^\p{L}\p{N}_\s]/gu;
const WORD = /[\p{L}\p{N}_]+/gu;

/** A word's term: its stem, or null when BM25 drops the word (`_`, a stopword, over 40 code points, empty stem). */
function termOf(word: string): string | null {
  if (word === "_" || STOPWORDS.has(word)) return null;
  if (word.length > BM25_PARAMS.maxTokenLength && [...word].length > BM25_PARAMS.maxTokenLength) return null;
  const stemmed = stem(word);
  return stemmed === "" ? null : stemmed;
}

/** The lowercased words of a text: punctuation and symbols become spaces; runs of letters, digits and `_`. */
function wordsOf(text: string): string[] {
  return text.replace(NOT_WORD, " ").toLowerCase().match(WORD) ?? [];
}

/**
 * The terms BM25 counts, in order: punctuation and symbols become spaces, lowercase, runs of letters, digits and `_`;
 * minus `_`, stopwords and tokens over 40 code points; each stemmed (Snowball English / Porter2).
 */
export function bm25Terms(text: string): string[] {
  const terms: string[] = [];
  for (const word of wordsOf(text)) {
    const term = termOf(word);
    if (term !== null) terms.push(term);
  }
  return terms;
}

/** |MurmurHash3 x86 32-bit (seed 0) of the UTF-8 bytes, read as a signed int32|: the sparse index of a term. */
export function bm25Index(term: string): number {
  return Math.abs(murmurhash.v3(term, 0) | 0);
}

/** A term's document weight: n(k+1) / (n + k(1 - b + b|d|/avgLen)), n its count, |d| the terms of the document. */
export function bm25Weight(count: number, docLength: number): number {
  const { k, b, avgLen } = BM25_PARAMS;
  return (count * (k + 1)) / (count + k * (1 - b + (b * docLength) / avgLen));
}

interface Term {
  stem: string;
  index: number;
}

/** Word to its term (null: dropped); bounded, cleared when full. Stemming and hashing dominate the cost. */
const wordCache = new Map<string, Term | null>();
const WORD_CACHE_LIMIT = 200_000;

function cachedTerm(word: string): Term | null {
  let term = wordCache.get(word);
  if (term === undefined) {
    const stemmed = termOf(word);
    term = stemmed === null ? null : { stem: stemmed, index: bm25Index(stemmed) };
    if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
    wordCache.set(word, term);
  }
  return term;
}

function termsWithIndex(text: string): Term[] {
  const terms: Term[] = [];
  for (const word of wordsOf(text)) {
    const term = cachedTerm(word);
    if (term !== null) terms.push(term);
  }
  return terms;
}

/**
 * A document's BM25 sparse vector: one weight per distinct term. As in FastEmbed, terms are counted by stem, and when
 * two stems hash to one index the later one's weight replaces the earlier (so indices stay unique).
 */
export function bm25Document(text: string): SparseVector {
  const terms = termsWithIndex(text);
  const counts = new Map<string, { index: number; count: number }>();
  for (const { stem: key, index } of terms) {
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { index, count: 1 });
  }
  const weights = new Map<number, number>();
  for (const { index, count } of counts.values()) weights.set(index, bm25Weight(count, terms.length));
  return { indices: [...weights.keys()], values: [...weights.values()] };
}

/** A query's BM25 sparse vector: weight 1 per distinct term (Qdrant applies IDF through the collection's modifier). */
export function bm25Query(text: string): SparseVector {
  const indices = [...new Set(termsWithIndex(text).map((t) => t.index))];
  return { indices, values: indices.map(() => 1) };
}

/** Documents encoded between two yields to the event loop (about a millisecond each for SciFact abstracts). */
const SLICE = 32;

/** BM25 as a `SparseEncoder`; the collection's sparse vector must use `modifier: idf`. */
export function createBm25Encoder(): SparseEncoder {
  return {
    model: BM25_MODEL,
    modifier: "idf",
    async embedDocuments(texts) {
      const vectors: SparseVector[] = [];
      for (let start = 0; start < texts.length; start += SLICE) {
        if (start > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const text of texts.slice(start, start + SLICE)) vectors.push(bm25Document(text));
      }
      return vectors;
    },
    embedQuery: async (text) => bm25Query(text),
    close: async () => {},
  };
}

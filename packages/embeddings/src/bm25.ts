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

/**
 * The terms BM25 counts, in order: punctuation and symbols become spaces, lowercase, runs of letters, digits and `_`;
 * minus `_`, stopwords and tokens over 40 code points; each stemmed (Snowball English / Porter2).
 */
export function bm25Terms(text: string): string[] {
  const words = text.replace(NOT_WORD, " ").toLowerCase().match(WORD) ?? [];
  const terms: string[] = [];
  for (const word of words) {
    if (word === "_" || STOPWORDS.has(word)) continue;
    if (word.length > BM25_PARAMS.maxTokenLength && [...word].length > BM25_PARAMS.maxTokenLength) continue;
    const stemmed = stem(word);
    if (stemmed !== "") terms.push(stemmed);
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

const indexCache = new Map<string, number>();
const INDEX_CACHE_LIMIT = 200_000;

function cachedIndex(term: string): number {
  let index = indexCache.get(term);
  if (index === undefined) {
    if (indexCache.size >= INDEX_CACHE_LIMIT) indexCache.clear();
    index = bm25Index(term);
    indexCache.set(term, index);
  }
  return index;
}

/** A document's BM25 sparse vector: one weight per distinct term (a later term wins an index collision, as in FastEmbed). */
export function bm25Document(text: string): SparseVector {
  const terms = bm25Terms(text);
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  const weights = new Map<number, number>();
  for (const [term, count] of counts) weights.set(cachedIndex(term), bm25Weight(count, terms.length));
  return { indices: [...weights.keys()], values: [...weights.values()] };
}

/** A query's BM25 sparse vector: weight 1 per distinct term (Qdrant applies IDF through the collection's modifier). */
export function bm25Query(text: string): SparseVector {
  const indices = [...new Set(bm25Terms(text).map(cachedIndex))];
  return { indices, values: indices.map(() => 1) };
}

/** BM25 as a `SparseEncoder`; the collection's sparse vector must use `modifier: idf`. */
export function createBm25Encoder(): SparseEncoder {
  return {
    model: BM25_MODEL,
    modifier: "idf",
    embedDocuments: async (texts) => texts.map(bm25Document),
    embedQuery: async (text) => bm25Query(text),
    close: async () => {},
  };
}

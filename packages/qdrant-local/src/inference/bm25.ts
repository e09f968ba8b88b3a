import murmurhash from "murmurhash";
import type { Bm25Config } from "./bm25-options.js";
import { tokenizeDocument, tokenizeQuery } from "./bm25-tokenizer.js";
import { fusedMultiplyAdd } from "./fma.js";

export interface SparseVector {
  indices: number[];
  values: number[];
}

/** Qdrant's token id: MurmurHash3 x86 32-bit (seed 0) of the UTF-8 bytes, read as i32, absolute value. */
export function bm25TokenId(token: string): number {
  return Math.abs(murmurhash.v3(token, 0) | 0);
}

/**
 * A document's vector as Qdrant's `Bm25::embed_document` computes it: tokens counted by token, each weighted
 * `n(k+1) / mul_add(k, 1 - b + b|d|/avg_len, n)` in f64 then cast to f32; indices ascending (a BTreeMap).
 */
export function bm25DocumentVector(text: string, config: Bm25Config): SparseVector {
  const tokens = tokenizeDocument(text, config);
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  const { k, b, avgLen } = config;
  const lengthNorm = 1 - b + (b * tokens.length) / avgLen;
  const weights = new Map<number, number>();
  // Two tokens with one id: the later write wins in Qdrant too, though its HashMap order makes "later" arbitrary.
  for (const [token, count] of counts)
    weights.set(bm25TokenId(token), Math.fround((count * (k + 1)) / fusedMultiplyAdd(k, lengthNorm, count)));
  const indices = [...weights.keys()].sort((x, y) => x - y);
  return { indices, values: indices.map((i) => weights.get(i) as number) };
}

/** A query's vector (`Bm25::embed_query`): weight 1 per distinct token id, ids ascending. */
export function bm25QueryVector(text: string, config: Bm25Config): SparseVector {
  const indices = [...new Set(tokenizeQuery(text, config).map(bm25TokenId))].sort((x, y) => x - y);
  return { indices, values: indices.map(() => 1) };
}

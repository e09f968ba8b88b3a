/// <reference path="./fold-to-ascii.d.ts" />
import ASCIIFolder from "fold-to-ascii";
import { stem } from "porter2";
import type { Bm25Config } from "./bm25-options.js";

/** Runs of alphanumerics (Rust's `char::is_alphanumeric`: Alphabetic or Numeric), what Qdrant's word tokenizer keeps. */
const WORD = /[\p{Alphabetic}\p{N}]+/gu;
/** Runs of non-whitespace (Rust's `split_whitespace` uses Unicode White_Space, which JS's `\s` does not match exactly). */
const NOT_SPACE = /[^\p{White_Space}]+/gu;

const codePoints = (text: string) => [...text].length;

/** A word through Qdrant's `TokensProcessor` up to its length check: fold, lowercase, stopword, stem. */
function normalize(word: string, config: Bm25Config, dropStopwords: boolean): string | null {
  let token = config.asciiFolding ? ASCIIFolder.foldMaintaining(word) : word;
  if (config.lowercase) token = token.toLowerCase();
  if (dropStopwords && config.stopwords.has(config.lowercase ? token.toLowerCase() : token)) return null;
  return config.stemmer === "english" ? stem(token) : token;
}

/** `process_token`: normalize, then drop tokens outside [min_token_len, max_token_len] code points. */
function processToken(word: string, config: Bm25Config, checkMax: boolean): string | null {
  if (word === "") return null;
  const token = normalize(word, config, true);
  if (token === null) return null;
  const length = codePoints(token);
  if (config.minTokenLen !== null && length < config.minTokenLen) return null;
  if (checkMax && config.maxTokenLen !== null && length > config.maxTokenLen) return null;
  return token;
}

/** The first `n` code points of a token, or null when it has no more than `n` (Rust's `char_indices().nth(n)`). */
function prefixOf(token: string, n: number): string | null {
  const chars = [...token];
  return chars.length > n ? chars.slice(0, n).join("") : null;
}

/** Tokens of a document, as Qdrant's `Tokenizer::tokenize_doc` emits them. */
export function tokenizeDocument(text: string, config: Bm25Config): string[] {
  const out: string[] = [];
  if (config.tokenizer === "prefix") {
    // Every prefix from min_token_len (default 1) to max_token_len code points; the whole word ends the run.
    const min = config.minTokenLen ?? 1;
    const max = config.maxTokenLen ?? Number.MAX_SAFE_INTEGER;
    for (const word of text.match(WORD) ?? []) {
      const token = processToken(word, config, false);
      if (token === null) continue;
      for (let n = min; n <= max; n++) {
        const prefix = prefixOf(token, n);
        if (prefix === null) {
          out.push(token);
          break;
        }
        out.push(prefix);
      }
    }
    return out;
  }
  const words = text.match(config.tokenizer === "whitespace" ? NOT_SPACE : WORD) ?? [];
  for (const word of words) {
    const token = processToken(word, config, true);
    if (token !== null) out.push(token);
  }
  return out;
}

/** Tokens of a query (`tokenize_query`): as documents, except that the prefix tokenizer keeps one prefix per word. */
export function tokenizeQuery(text: string, config: Bm25Config): string[] {
  if (config.tokenizer !== "prefix") return tokenizeDocument(text, config);
  // Qdrant skips stopwords here on purpose: a partly typed word may be a stopword's prefix.
  const out: string[] = [];
  for (const word of text.match(WORD) ?? []) {
    const token = normalize(word, config, false) as string;
    if (config.minTokenLen !== null && codePoints(token) < config.minTokenLen) continue;
    out.push(config.maxTokenLen === null ? token : (prefixOf(token, config.maxTokenLen) ?? token));
  }
  return out;
}

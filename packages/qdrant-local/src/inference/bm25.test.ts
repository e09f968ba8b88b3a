import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import murmurhash from "murmurhash";
import { describe, expect, it } from "vitest";
import { QdrantError } from "../errors.js";
import { bm25DocumentVector, bm25QueryVector, bm25TokenId } from "./bm25.js";
import { readBm25Config } from "./bm25-options.js";
import { tokenizeDocument, tokenizeQuery } from "./bm25-tokenizer.js";
import { fusedMultiplyAdd } from "./fma.js";

// Golden cases worked out from Qdrant's source: src/common/inference/bm25_inference.rs (options and defaults),
// lib/bm25/src/lib.rs (token ids, weights), lib/segment/.../tokenizers/{mod,tokens_processor}.rs (word, whitespace and
// prefix tokenizers; fold, lowercase, stopword, stem, length order) and stop_words/english.rs. Cases marked "Qdrant's
// test" repeat assertions of Qdrant's own unit tests.

const docTokens = (text: string, options?: unknown) => tokenizeDocument(text, readBm25Config(options));
const queryTokens = (text: string, options?: unknown) => tokenizeQuery(text, readBm25Config(options));
const NO_LANGUAGE = { language: "none" };

describe("token ids", () => {
  it("are MurmurHash3 x86_32 (seed 0) of the UTF-8 bytes: known answers", () => {
    expect(bm25TokenId("")).toBe(0);
    expect(bm25TokenId("hello")).toBe(0x248bfa47);
    expect(bm25TokenId("The quick brown fox jumps over the lazy dog")).toBe(0x2e4ff723);
  });

  it("take the absolute value of the hash read as i32", () => {
    const token = ["relaps", "polychondr", "cartilag", "inflamm", "ear", "nose"].find(
      (t) => murmurhash.v3(t, 0) >= 2 ** 31,
    );
    expect(token).toBeDefined();
    expect(bm25TokenId(token as string)).toBe(2 ** 32 - murmurhash.v3(token as string, 0));
  });
});

describe("word tokenizer with the defaults (english: lowercase, NLTK stopwords, Snowball English)", () => {
  it("splits on every non-alphanumeric character, `_` included (FastEmbed keeps `_` inside words)", () => {
    expect(docTokens("The Quick-Brown foxes' jumping_over 2 lazy dogs!")).toEqual([
      "quick",
      "brown",
      "fox",
      "jump",
      "2",
      "lazi",
      "dog",
    ]);
  });

  it("has no length limit by default (FastEmbed drops tokens over 40 characters)", () => {
    const long = "a".repeat(45);
    expect(docTokens(long)).toEqual([long]);
  });

  it("keeps letters of any script and numbers (Unicode Alphabetic and Numeric)", () => {
    expect(docTokens("Привет, мир! 東京 ½")).toEqual(["привет", "мир", "東京", "½"]);
  });

  it("stems after the stopword check: `running run` is one token (Qdrant's test)", () => {
    expect(bm25DocumentVector("running run", readBm25Config(undefined)).indices).toHaveLength(1);
  });

  it("`stemmer: {type: none}` keeps them apart (Qdrant's test)", () => {
    const config = readBm25Config({ stemmer: { type: "none" }, stopwords: {} });
    expect(bm25DocumentVector("running run", config).indices).toHaveLength(2);
  });

  it("language `none` turns off stemming and stopwords", () => {
    expect(docTokens("The cats", NO_LANGUAGE)).toEqual(["the", "cats"]);
    expect(docTokens("The cats", { language: "en" })).toEqual(["cat"]);
  });
});

describe("english stopwords", () => {
  it("are exactly Qdrant's list (stop_words/english.rs, NLTK's 179 words, as in ../shared/bm25)", () => {
    const path = fileURLToPath(new URL("../../../../../shared/bm25/english-stopwords.txt", import.meta.url));
    const words = readFileSync(path, "utf8").split(/\s+/).filter(Boolean);
    expect(words).toHaveLength(179);
    const options = { tokenizer: "whitespace", stemmer: { type: "none" } };
    expect(docTokens(words.join(" "), options)).toEqual([]);
    expect(docTokens(`${words.join(" ")} qdrant`, { ...options, stopwords: { custom: [] } })).toHaveLength(
      180,
    );
  });
});

describe("options", () => {
  it("prefix tokenizer: documents get every prefix, queries the longest up to max_token_len (Qdrant's test)", () => {
    const options = { tokenizer: "prefix", min_token_len: 1, max_token_len: 4, ...NO_LANGUAGE };
    expect(docTokens("hello, мир!", options)).toEqual(["h", "he", "hel", "hell", "м", "ми", "мир"]);
    expect(queryTokens("hello, мир!", options)).toEqual(["hell", "мир"]);
  });

  it("prefix queries keep stopwords, documents drop them", () => {
    expect(queryTokens("the theory", { tokenizer: "prefix" })).toEqual(["the", "theori"]);
    expect(docTokens("the", { tokenizer: "prefix" })).toEqual([]);
  });

  it("whitespace tokenizer keeps punctuation, so contractions meet their stopwords", () => {
    expect(docTokens("Don't stop, now.", { tokenizer: "whitespace" })).toEqual(["stop,", "now."]);
  });

  it("ascii_folding folds accents before lowercasing (Lucene's ASCIIFoldingFilter)", () => {
    expect(docTokens("Café naïve FAÇADE Straße", { ascii_folding: true, ...NO_LANGUAGE })).toEqual([
      "cafe",
      "naive",
      "facade",
      "strasse",
    ]);
    expect(docTokens("Café", NO_LANGUAGE)).toEqual(["café"]);
  });

  it("lowercase false: case-sensitive tokens and stopwords", () => {
    const options = { lowercase: false, stopwords: { custom: ["Hello"] }, ...NO_LANGUAGE };
    expect(docTokens("Hello hello HELLO", options)).toEqual(["hello", "HELLO"]);
  });

  it("custom stopwords with lowercase match any case; languages and custom add up", () => {
    expect(
      docTokens("Qdrant and THE vectors", { stopwords: { custom: ["QDRANT"] }, ...NO_LANGUAGE }),
    ).toEqual(["and", "the", "vectors"]);
    expect(
      docTokens("Qdrant and the vectors", {
        stopwords: { languages: ["english"], custom: ["qdrant"] },
        stemmer: { type: "none" },
      }),
    ).toEqual(["vectors"]);
  });

  it("min and max token length count code points after stemming", () => {
    expect(docTokens("a bb ccc dddd éééé", { min_token_len: 2, max_token_len: 3, ...NO_LANGUAGE })).toEqual([
      "bb",
      "ccc",
    ]);
    // "running" stems to "run" (3) before the check.
    expect(docTokens("running", { max_token_len: 3 })).toEqual(["run"]);
  });

  it("unknown keys are ignored, as serde does for Bm25Config", () => {
    expect(docTokens("cats", { something_else: 1 })).toEqual(["cat"]);
  });

  it.each([
    [{ k: "1.2" }, /Invalid BM25 config: k: invalid type/],
    [{ b: 2 }, /Invalid BM25 config: b: must be from 0 to 1/],
    [{ avg_len: 0 }, /Invalid BM25 config: avg_len/],
    [{ tokenizer: "bogus" }, /Invalid BM25 config: tokenizer: unknown variant "bogus"/],
    [{ lowercase: "yes" }, /Invalid BM25 config: lowercase/],
    [{ stemmer: { type: "snowball", language: "klingon" } }, /Invalid BM25 config: stemmer.language/],
    [{ stopwords: "klingon" }, /Invalid BM25 config: stopwords: unknown language "klingon"/],
    [{ min_token_len: -1 }, /Invalid BM25 config: min_token_len/],
    [{ tokenizer: "multilingual" }, /tokenizer `multilingual` is not provisioned in qdrant-local/],
    [{ language: "german" }, /stemmer for `german` is not provisioned/],
    [{ stopwords: "french", stemmer: { type: "none" } }, /stopwords for `french` is not provisioned/],
  ])("%j is refused with a 400 that names the option", (options, message) => {
    let error: unknown;
    try {
      readBm25Config(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QdrantError);
    expect((error as QdrantError).status).toBe(400);
    expect((error as QdrantError).message).toMatch(message);
  });
});

describe("weights", () => {
  it("documents: n(k+1) / (k(1 - b + b|d|/avg_len) + n) as f32 (Qdrant's test: `the` 1.375)", () => {
    // lib/bm25's document_tf_formula_matches_reference, with its whitespace tokenizer and no stopwords or stemming.
    const config = readBm25Config({ tokenizer: "whitespace", avg_len: 5, ...NO_LANGUAGE });
    const vector = bm25DocumentVector("the cat sat on the", config);
    const the = vector.values[vector.indices.indexOf(bm25TokenId("the"))];
    expect(the).toBe(1.375);
    expect(vector.values[vector.indices.indexOf(bm25TokenId("cat"))]).toBe(Math.fround(2.2 / 2.2));
  });

  it("documents with the defaults: counts per stemmed token, |d| after filtering, indices ascending", () => {
    const vector = bm25DocumentVector("Alpha beta alphas, the gamma ALPHA", readBm25Config(undefined));
    // Tokens: alpha, beta, alpha, gamma, alpha (the stopword `the` dropped): |d| = 5.
    const norm = 0.25 + (0.75 * 5) / 256;
    const expected = new Map([
      [bm25TokenId("alpha"), Math.fround((3 * 2.2) / (1.2 * norm + 3))],
      [bm25TokenId("beta"), Math.fround(2.2 / (1.2 * norm + 1))],
      [bm25TokenId("gamma"), Math.fround(2.2 / (1.2 * norm + 1))],
    ]);
    expect(vector.indices).toEqual([...expected.keys()].sort((a, b) => a - b));
    expect(vector.values).toEqual(vector.indices.map((i) => expected.get(i)));
    expect(vector.values[vector.indices.indexOf(bm25TokenId("alpha"))]).toBe(1.9894030094146729);
  });

  it("k, b and avg_len change document weights", () => {
    const vector = bm25DocumentVector("x x y", readBm25Config({ k: 2, b: 0, avg_len: 10, ...NO_LANGUAGE }));
    expect(vector.values[vector.indices.indexOf(bm25TokenId("x"))]).toBe(Math.fround((2 * 3) / (2 * 1 + 2)));
  });

  it("queries: weight 1 per distinct token, ascending ids; empty text gives an empty vector", () => {
    const query = bm25QueryVector("Fox foxes FOX dog", readBm25Config(undefined));
    expect(query.indices).toEqual([bm25TokenId("fox"), bm25TokenId("dog")].sort((a, b) => a - b));
    expect(query.values).toEqual([1, 1]);
    expect(bm25QueryVector("the of and", readBm25Config(undefined))).toEqual({ indices: [], values: [] });
  });

  it("the denominator is one fused multiply-add, like Rust's f64::mul_add", () => {
    expect(fusedMultiplyAdd(0.1, 10, -1)).toBe(5.551115123125783e-17);
    expect(0.1 * 10 - 1).toBe(0);
    expect(fusedMultiplyAdd(1.2, 0.2646484375, 3)).toBe(1.2 * 0.2646484375 + 3);
    expect(fusedMultiplyAdd(-3, 0.5, 1)).toBe(-0.5);
  });
});

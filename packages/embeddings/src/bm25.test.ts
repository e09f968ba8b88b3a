import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bm25Document, bm25Index, bm25Query, bm25Terms, bm25Weight, createBm25Encoder } from "./bm25.js";
import { ENGLISH_STOPWORDS } from "./stopwords.js";

const sharedStopwords = fileURLToPath(
  new URL("../../../../shared/bm25/english-stopwords.txt", import.meta.url),
);

describe("bm25Weight", () => {
  it("matches values derived by hand from n(k+1) / (n + k(1 - b + b|d|/avgLen)), k=1.2, b=0.75, avgLen=256", () => {
    // n=1, |d|=12: 2.2 / (1 + 1.2 * (0.25 + 0.75 * 12/256)) = 2.2 / 1.3421875
    expect(bm25Weight(1, 12)).toBeCloseTo(1.6391152, 6);
    // n=1, |d|=6: 2.2 / (1 + 1.2 * (0.25 + 0.75 * 6/256)) = 2.2 / 1.32109375
    expect(bm25Weight(1, 6)).toBeCloseTo(1.6652868, 7);
    // n=2, |d|=3: 4.4 / (2 + 1.2 * (0.25 + 0.75 * 3/256)) = 4.4 / 2.310546875
    expect(bm25Weight(2, 3)).toBeCloseTo(1.9043111, 7);
  });
});

describe("bm25Terms", () => {
  it("lowercases, splits on anything but letters, digits and _, drops stopwords, _ and tokens over 40 code points", () => {
    expect(bm25Terms("The quick-brown FOX's e-mail: foo_bar _ __init__ 42x!")).toEqual([
      "quick",
      "brown",
      "fox",
      "e",
      "mail",
      "foo_bar",
      "__init__",
      "42x",
    ]);
    expect(bm25Terms(`${"a".repeat(40)} ${"b".repeat(41)}`)).toEqual(["a".repeat(40)]);
    // 40 code points of 2 UTF-16 units each stay; 41 go.
    expect(bm25Terms(`${"𝐚".repeat(40)} ${"𝐛".repeat(41)}`)).toEqual(["𝐚".repeat(40)]);
    expect(bm25Terms("Café Über naïve 東京")).toEqual(["café", "über", "naïv", "東京"]);
    expect(bm25Terms("it is what it is, and we were there")).toEqual([]);
  });

  it("stems with Snowball English (Porter2): a table of stems", () => {
    const table: [string, string][] = [
      ["running", "run"],
      ["caresses", "caress"],
      ["ponies", "poni"],
      ["cats", "cat"],
      ["consolation", "consol"],
      ["consolatory", "consolatori"],
      ["consolidated", "consolid"],
      ["conspicuously", "conspicu"],
      ["conspiracy", "conspiraci"],
      ["conspirators", "conspir"],
      ["constancy", "constanc"],
      ["generously", "generous"],
      ["knightly", "knight"],
      ["skies", "sky"],
      ["dying", "die"],
      ["news", "news"],
      ["gently", "gentl"],
      ["early", "earli"],
      ["ugly", "ugli"],
      ["succeed", "succeed"],
      ["exceeding", "exceed"],
      ["herring", "herring"],
      ["atlas", "atlas"],
      ["generalizations", "general"],
      ["happiness", "happi"],
      ["relational", "relat"],
    ];
    for (const [word, stem] of table) expect([word, bm25Terms(word)]).toEqual([word, [stem]]);
  });

  it("ships the same stopword list as ../shared/bm25", () => {
    const shared = readFileSync(sharedStopwords, "utf8").split("\n").filter(Boolean);
    expect([...ENGLISH_STOPWORDS]).toEqual(shared);
  });
});

describe("bm25Index", () => {
  it("is |MurmurHash3 x86 32 (seed 0) over UTF-8 as int32|", () => {
    expect(bm25Index("hello")).toBe(613153351); // 0x248bfa47, positive as int32
    expect(bm25Index("fox")).toBe(1621867415); // 2673099881 - 2^32 = -1621867415
    expect(bm25Index("run")).toBe(243905464); // 4051061832 - 2^32
    expect(bm25Index("café")).toBe(605818632);
    expect(bm25Index("東京")).toBe(1765863102);
  });
});

describe("BM25 vectors", () => {
  it("weights each distinct term of a document by its count and the document's length", () => {
    // Kept terms: quick brown fox jump lazi dog (|d| = 6, each once); "the" and "over" are stopwords.
    const vector = bm25Document("The quick brown foxes jumped over the lazy dogs");
    const expected = ["quick", "brown", "fox", "jump", "lazi", "dog"].map(bm25Index);
    expect(vector.indices).toEqual(expected);
    for (const v of vector.values) expect(v).toBeCloseTo(1.6652868, 6);
  });

  it("counts repeats: run, running, runs make n=3 of one stem", () => {
    const vector = bm25Document("run running runs dog");
    expect(vector.indices).toEqual([bm25Index("run"), bm25Index("dog")]);
    expect(vector.values[0]).toBeCloseTo((3 * 2.2) / (3 + 1.2 * (0.25 + (0.75 * 4) / 256)), 9);
    expect(vector.values[1]).toBeCloseTo(2.2 / (1 + 1.2 * (0.25 + (0.75 * 4) / 256)), 9);
  });

  it("reproduces the issue's example: one of 12 distinct terms weighs 1.6391152", () => {
    const text = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima";
    expect(bm25Terms(text)).toHaveLength(12);
    for (const v of bm25Document(text).values) expect(v).toBeCloseTo(1.6391152, 6);
  });

  it("gives queries weight 1 per distinct term", async () => {
    expect(bm25Query("Dogs and dog, DOG! cats")).toEqual({
      indices: [bm25Index("dog"), bm25Index("cat")],
      values: [1, 1],
    });
    const encoder = createBm25Encoder();
    expect(encoder.modifier).toBe("idf");
    expect(await encoder.embedQuery("")).toEqual({ indices: [], values: [] });
    expect(await encoder.embedDocuments(["a the", "x"])).toEqual([
      { indices: [], values: [] },
      { indices: [bm25Index("x")], values: [bm25Weight(1, 1)] },
    ]);
  });
});

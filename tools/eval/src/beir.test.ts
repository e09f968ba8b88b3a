import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatasetError, parseQrels, parseQueries, readBeirDataset, readCorpus } from "./beir.js";
import { repoPath } from "./paths.js";

describe("parseQrels", () => {
  it("skips the header line and keeps integer grades per query", () => {
    const qrels = parseQrels("query-id\tcorpus-id\tscore\n1\t10\t1\n1\t11\t2\n2\t10\t0\n", "t.tsv");
    expect([...qrels.keys()]).toEqual(["1", "2"]);
    expect(qrels.get("1")).toEqual(
      new Map([
        ["10", 1],
        ["11", 2],
      ]),
    );
    expect(qrels.get("2")?.get("10")).toBe(0);
  });

  it("accepts the four-column TREC form", () => {
    expect(parseQrels("7 0 d1 3\n", "t.qrels").get("7")).toEqual(new Map([["d1", 3]]));
  });

  it("names file and line of a bad score", () => {
    expect(() => parseQrels("query-id\tcorpus-id\tscore\n1\t10\thigh\n", "q.tsv")).toThrow(
      /q\.tsv:2: score "high"/,
    );
    expect(() => parseQrels("1\t10\n", "q.tsv")).toThrow(DatasetError);
  });
});

describe("parseQueries", () => {
  it("reads ids as strings, numeric or not", () => {
    const queries = parseQueries('{"_id": "1", "text": "a"}\n\n{"_id": 2, "text": "b"}\n', "q.jsonl");
    expect(queries).toEqual(
      new Map([
        ["1", "a"],
        ["2", "b"],
      ]),
    );
  });

  it("names file and line of a malformed row", () => {
    expect(() => parseQueries('{"_id": "1", "text": "a"}\n{"_id": "2"', "q.jsonl")).toThrow(
      /q\.jsonl:2: not JSON/,
    );
    expect(() => parseQueries('{"text": "a"}', "q.jsonl")).toThrow(/q\.jsonl:1: expected/);
  });
});

describe("readBeirDataset on a folder", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "beir-"));
    await mkdir(join(dir, "qrels"));
    await writeFile(join(dir, "queries.jsonl"), '{"_id": "q1", "text": "wing lift"}\n');
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("finds a gzipped corpus and streams its rows", async () => {
    const rows = '{"_id": "d1", "title": "T", "text": "x"}\n{"_id": 2, "text": "y"}\n';
    await writeFile(join(dir, "corpus.jsonl.gz"), gzipSync(rows));
    const dataset = await readBeirDataset(dir);
    expect(dataset.corpusGzipped).toBe(true);
    expect(dataset.queries.get("q1")).toBe("wing lift");
    const read = [];
    for await (const row of readCorpus(dataset.corpusPath)) read.push(row);
    expect(read).toEqual([
      { id: "d1", title: "T", text: "x" },
      { id: "2", title: "", text: "y" },
    ]);
  });

  it("says which file is missing", async () => {
    await expect(readBeirDataset(dir)).rejects.toThrow(/neither corpus\.jsonl nor corpus\.jsonl\.gz/);
    await writeFile(join(dir, "corpus.jsonl"), "");
    await expect(readBeirDataset(dir, "dev")).rejects.toThrow(/qrels\/dev\.tsv: cannot read \(ENOENT\)/);
  });
});

describe("readBeirDataset on the shared datasets", () => {
  it("reads Cranfield: 225 queries, 1,612 judgments", async () => {
    const dataset = await readBeirDataset(repoPath("../shared/datasets/cranfield"));
    expect(dataset.queries.size).toBe(225);
    expect([...dataset.qrels.values()].reduce((n, judged) => n + judged.size, 0)).toBe(1612);
    let docs = 0;
    for await (const _ of readCorpus(dataset.corpusPath)) docs += 1;
    expect(docs).toBe(1400);
  });
});

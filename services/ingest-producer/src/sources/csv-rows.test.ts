import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunked, collect, recordSummary as summary } from "../testing/records.js";
import { readCsv } from "./csv-rows.js";
import { decodeToUtf8 } from "./decode-text.js";
import { openFileSource } from "./file-source.js";
import type { RawRecord } from "./raw-record.js";

const csv = (text: string, size: number, extra: Partial<Parameters<typeof readCsv>[1]> = {}) =>
  collect(
    readCsv(chunked(Buffer.from(text), size), { delimiter: ",", maxRowBytes: 200, name: "t.csv", ...extra }),
  );

describe("readCsv", () => {
  it("reads quoted cells with delimiters, quotes and newlines, CRLF and a BOM, at any chunk size", async () => {
    const text = '\ufeffid,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n\r\n3,"two\r\nlines"\r\n4,last';
    for (const size of [1, 2, 7, 1000]) {
      expect(summary(await csv(text, size))).toEqual([
        { line: 2, value: { id: "1", text: "a, b" } },
        { line: 3, value: { id: "2", text: 'say "hi"' } },
        { line: 5, value: { id: "3", text: "two\r\nlines" } },
        { line: 7, value: { id: "4", text: "last" } },
      ]);
    }
  });

  it("skips records with the wrong number of cells, with their lines, and keeps a stray quote as text", async () => {
    const records = await csv('a,b\n1,2\n3\n5,6,7\n8,9\n4,"x"y\n', 3);
    expect(summary(records)).toEqual([
      { line: 2, value: { a: "1", b: "2" } },
      { line: 3, skip: "malformed_csv" },
      { line: 4, skip: "malformed_csv" },
      { line: 5, value: { a: "8", b: "9" } },
      { line: 6, value: { a: "4", b: '"x"y' } },
    ]);
    expect(records[1]).toMatchObject({ message: expect.stringMatching(/columns length is 2, got 1/) });
  });

  it("keeps cells as strings unless typed; a cell that is not its type skips the row naming the column", async () => {
    const text = 'n,i,ok,meta,zip\n1.5,7,yes,"{""k"":[1]}",00501\n,x,no,null,02134\n';
    const types = { n: "number", i: "integer", ok: "boolean", meta: "json" } as const;
    const records = await csv(text, 5, { csv: { types } });
    expect(summary(records)).toEqual([
      { line: 2, value: { n: 1.5, i: 7, ok: true, meta: { k: [1] }, zip: "00501" } },
      { line: 3, skip: "invalid_value" },
    ]);
    expect(records[1]).toMatchObject({ message: 'column "i": "x" is not an integer' });
    await expect(csv("a\n1\n", 4, { csv: { types: { b: "integer" } } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/csv.types names columns the header does not have: b \(header: a\)/),
    });
  });

  it("reads TSV and other delimiters, other encodings through decodeToUtf8, and skips bytes that are not UTF-8", async () => {
    expect(summary(await csv("a\tb\nx,y\tz\n", 2, { delimiter: "\t" }))).toEqual([
      { line: 2, value: { a: "x,y", b: "z" } },
    ]);
    const latin1 = Buffer.from("name;city\nJosé;Zürich\n", "latin1");
    const decoded = readCsv(decodeToUtf8(chunked(latin1, 3), "latin1"), {
      delimiter: ",",
      csv: { delimiter: ";" },
      maxRowBytes: 100,
      name: "t.csv",
    });
    expect(summary(await collect(decoded))).toEqual([{ line: 2, value: { name: "José", city: "Zürich" } }]);
    const broken = Buffer.concat([
      Buffer.from("a\nok\n"),
      Buffer.from([0x4a, 0xe9, 0x0a]),
      Buffer.from("fine\n"),
    ]);
    const records = await collect(
      readCsv(chunked(broken, 2), { delimiter: ",", maxRowBytes: 100, name: "t" }),
    );
    expect(summary(records)).toEqual([
      { line: 2, value: { a: "ok" } },
      { line: 3, skip: "invalid_utf8" },
      { line: 4, value: { a: "fine" } },
    ]);
  });

  it("fails the read, naming the limit, when a record grows past maxRowBytes (an unclosed quote)", async () => {
    const text = `a,b\n1,2\n3,"${"x".repeat(500)}\n4,5\n`;
    await expect(csv(text, 64, { maxRowBytes: 100 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      retryable: false,
      message: expect.stringMatching(/t.csv is not readable as CSV: .*larger than 100 bytes/),
    });
  });
});

describe("readCsv memory", () => {
  it("keeps memory flat on a large generated stream (~100 MB; records are not accumulated)", {
    timeout: 30_000,
  }, async () => {
    async function* generated(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("id,text\n");
      const line = (i: number) => `${i},"${"z".repeat(1000)}, with a comma"\n`;
      for (let block = 0; block < 400; block++) {
        yield Buffer.from(Array.from({ length: 256 }, (_, i) => line(block * 256 + i)).join(""));
      }
    }
    const before = process.memoryUsage().rss;
    let rows = 0;
    let peak = before;
    for await (const record of readCsv(generated(), { delimiter: ",", maxRowBytes: 4096, name: "big" })) {
      if ("value" in record) rows += 1;
      if (rows % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(rows).toBe(102_400);
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  });
});

describe("CSV files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "producer-csv-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("streams a 100,000-row CSV file with exact counts and line numbers", async () => {
    const file = path.join(dir, "big.csv");
    const out = createWriteStream(file);
    out.write("id,title,body\n");
    for (let i = 0; i < 100_000; i++) out.write(`${i},"Title ${i}","text, with comma ${i}"\n`);
    out.end();
    await finished(out);
    const opened = await openFileSource(
      { path: "big.csv", format: "auto" },
      { dataDirs: [dir], maxRowBytes: 1000 },
    );
    let rows = 0;
    let last: RawRecord | undefined;
    for await (const record of opened.records) {
      if ("skip" in record) throw new Error(`unexpected skip at ${record.line}: ${record.message}`);
      rows += 1;
      last = record;
    }
    expect(rows).toBe(100_000);
    expect(last).toMatchObject({ line: 100_001, value: { id: "99999", body: "text, with comma 99999" } });
    expect(opened.bytes().read).toBe(opened.bytes().total);
  });
});

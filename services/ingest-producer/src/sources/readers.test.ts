import { describe, expect, it } from "vitest";
import { chunked, collect, recordSummary as summary } from "../testing/records.js";
import { decodeToUtf8 } from "./decode-text.js";
import { readJsonArray } from "./json-array.js";
import { readJsonLines } from "./json-lines.js";
import type { RawRecord } from "./raw-record.js";
import { readRecords } from "./sniff-format.js";

describe("readJsonLines", () => {
  it("parses lines across chunk boundaries, skipping blank lines and reporting bad ones", async () => {
    const text = '\ufeff{"a":1}\r\n\n{"a":"é"}\n{broken\n{"a":3}';
    for (const size of [1, 3, 64]) {
      const records = await collect(readJsonLines(chunked(text, size), { maxRowBytes: 100 }));
      expect(summary(records)).toEqual([
        { line: 1, value: { a: 1 } },
        { line: 3, value: { a: "é" } },
        { line: 4, skip: "malformed_json" },
        { line: 5, value: { a: 3 } },
      ]);
    }
  });

  it("skips an oversized line without buffering it and goes on", async () => {
    const text = `{"a":1}\n{"big":"${"x".repeat(500)}"}\n{"a":2}\n`;
    const records = await collect(readJsonLines(chunked(text, 16), { maxRowBytes: 50 }));
    expect(summary(records)).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, skip: "oversized_row" },
      { line: 3, value: { a: 2 } },
    ]);
    expect(records[1]?.bytes).toBe(510);
  });
});

describe("readJsonArray", () => {
  it("streams elements with nesting, strings containing brackets and escapes", async () => {
    const text = ' [ {"a":"x]\\"},{\\"}", "n":[1,[2]]} , 7 ,{"b":null}\n,{oops}, "s" ]\n';
    for (const size of [1, 5, 1000]) {
      const records = await collect(readJsonArray(chunked(text, size), { maxRowBytes: 100 }));
      expect(summary(records)).toEqual([
        { line: 0, value: { a: 'x]"},{"}', n: [1, [2]] } },
        { line: 1, value: 7 },
        { line: 2, value: { b: null } },
        { line: 3, skip: "malformed_json" },
        { line: 4, value: "s" },
      ]);
    }
  });

  it("tells escaped backslashes from escaped quotes wherever a chunk ends", async () => {
    const values = [{ p: "C:\\dir\\" }, { q: '\\"x]' }, { r: "\\\\" }];
    const text = JSON.stringify(values);
    for (let size = 1; size <= 9; size++) {
      const records = await collect(readJsonArray(chunked(text, size), { maxRowBytes: 100 }));
      expect(records.map((r) => ("value" in r ? r.value : r.skip))).toEqual(values);
    }
  });

  it("handles an empty array, oversized elements and an unclosed array", async () => {
    expect(await collect(readJsonArray(chunked("[ ]", 1), { maxRowBytes: 10 }))).toEqual([]);
    for (const [text, cut] of [
      [`[{"a":"${"y".repeat(100)}"},{"a":1},{"a":2`, 3],
      [`[{"a":"${"y".repeat(100)}"},{"a":1},`, 2],
    ] as const) {
      const records: RawRecord[] = [];
      await expect(async () => {
        for await (const record of readJsonArray(chunked(text, 7), { maxRowBytes: 20 })) records.push(record);
      }).rejects.toThrow(`cut off after ${cut} elements`);
      expect(summary(records)).toEqual(
        [
          { line: 0, skip: "oversized_row" },
          { line: 1, value: { a: 1 } },
          { line: 2, skip: "malformed_json" },
        ].slice(0, cut),
      );
    }
  });

  it("refuses a source that is not an array", async () => {
    await expect(collect(readJsonArray(chunked('{"a":1}', 4), { maxRowBytes: 10 }))).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("rows that are not valid UTF-8", () => {
  it("are skipped with their line in JSON Lines and JSON arrays; the other rows are read", async () => {
    const latin1 = (text: string) => Buffer.from(text, "latin1");
    const lines = Buffer.concat([
      Buffer.from('{"t":"ok"}\n'),
      latin1('{"t":"café"}\n'),
      Buffer.from('{"t":"été ✓"}\n'),
    ]);
    for (const size of [1, 5, 100]) {
      const records = await collect(readJsonLines(chunked(lines, size), { maxRowBytes: 100 }));
      expect(summary(records)).toEqual([
        { line: 1, value: { t: "ok" } },
        { line: 2, skip: "invalid_utf8" },
        { line: 3, value: { t: "été ✓" } },
      ]);
      expect(records[1]).toMatchObject({ message: expect.stringMatching(/source\.encoding/) });
    }
    const array = Buffer.concat([Buffer.from('[{"t":"ok"},'), latin1('{"t":"café"}'), Buffer.from("]")]);
    const records = await collect(readJsonArray(chunked(array, 3), { maxRowBytes: 100 }));
    expect(summary(records)).toEqual([
      { line: 0, value: { t: "ok" } },
      { line: 1, skip: "invalid_utf8" },
    ]);
  });

  it("are read as what they are when the source names its encoding", async () => {
    const text = '{"t":"café"}\n{"t":"Ærø 😀"}\n';
    const cases = [
      ["latin1", Buffer.from('{"t":"café"}\n', "latin1")],
      ["utf-16le", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
    ] as const;
    for (const [encoding, bytes] of cases) {
      for (const size of [1, 3, 1000]) {
        const records = await collect(
          readRecords(decodeToUtf8(chunked(bytes, size), encoding), "auto", { maxRowBytes: 100 }),
        );
        const values = records.map((r) => ("value" in r ? r.value : r.skip));
        expect(values).toEqual(encoding === "latin1" ? [{ t: "café" }] : [{ t: "café" }, { t: "Ærø 😀" }]);
      }
    }
  });
});

describe("readRecords (auto format)", () => {
  it("tells a JSON array from JSON Lines by the first significant byte", async () => {
    const array = await collect(
      readRecords(chunked('  \n [{"a":1},{"a":2}]', 2), "auto", { maxRowBytes: 99 }),
    );
    expect(summary(array)).toEqual([
      { line: 0, value: { a: 1 } },
      { line: 1, value: { a: 2 } },
    ]);
    const lines = await collect(
      readRecords(chunked('\n\n{"a":1}\n{"a":2}\n', 2), "auto", { maxRowBytes: 99 }),
    );
    expect(summary(lines)).toEqual([
      { line: 3, value: { a: 1 } },
      { line: 4, value: { a: 2 } },
    ]);
  });

  it("keeps memory flat on a large generated stream (rows are not accumulated)", async () => {
    async function* generated(): AsyncGenerator<Uint8Array> {
      const line = Buffer.from(`${JSON.stringify({ text: "z".repeat(1000) })}\n`);
      const block = Buffer.concat(Array.from({ length: 256 }, () => line));
      for (let i = 0; i < 800; i++) yield block; // ~200 MB in total
    }
    const before = process.memoryUsage().rss;
    let rows = 0;
    let peak = before;
    for await (const record of readRecords(generated(), "auto", { maxRowBytes: 4096 })) {
      if ("value" in record) rows += 1;
      if (rows % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(rows).toBe(204_800);
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  });
});

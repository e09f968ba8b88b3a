import { execFileSync, spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { chunked } from "../testing/records.js";
import { formatFromContent, type OpenRecordsOptions, openRecords } from "./open-records.js";
import type { RawRecord } from "./raw-record.js";

async function open(bytes: Buffer, options: Partial<OpenRecordsOptions> & { name: string }) {
  const opened = await openRecords(chunked(bytes, 5), {
    format: "auto",
    shownAs: options.name,
    maxRowBytes: 1000,
    ...options,
  });
  const values: unknown[] = [];
  for await (const record of opened.records as AsyncIterable<RawRecord>)
    values.push("value" in record ? record.value : record.skip);
  return { reader: opened.reader, values };
}

const csv = Buffer.from("t,n\nx,1\ny,2\n");

describe("openRecords", () => {
  it("goes by the extension, after any compression suffix, and tells gzip from the bytes", async () => {
    expect(await open(gzipSync(csv), { name: "dir/rows.csv.gz" })).toEqual({
      reader: {
        format: "csv",
        detectedBy: "extension",
        library: "csv-parse",
        compression: "gzip",
        decompressor: "node:zlib",
      },
      values: [
        { t: "x", n: "1" },
        { t: "y", n: "2" },
      ],
    });
    // Gzip without a .gz name is still gunzipped; a .gz name on plain bytes is read plain.
    expect((await open(gzipSync('{"a":1}\n'), { name: "rows.jsonl" })).values).toEqual([{ a: 1 }]);
    expect((await open(Buffer.from('{"a":1}\n'), { name: "rows.jsonl.gz" })).values).toEqual([{ a: 1 }]);
    expect((await open(Buffer.from("a\tb\n1\t2\n"), { name: "x.tsv" })).reader.format).toBe("tsv");
  });

  it("falls back to the content when the name says nothing, and obeys a requested format", async () => {
    const byContent = async (text: string) => (await open(Buffer.from(text), { name: "download" })).reader;
    expect(await byContent('[{"a":1}]')).toMatchObject({ format: "json", detectedBy: "content" });
    expect(await byContent('\ufeff {"a":1}\n')).toMatchObject({ format: "jsonl", detectedBy: "content" });
    expect(await byContent("a,b\n1,2\n")).toMatchObject({ format: "csv", library: "csv-parse" });
    expect(await byContent("a\tb,c\n1\t2\n")).toMatchObject({ format: "tsv" });
    const forced = await open(Buffer.from("a,b\n1,2\n"), { name: "rows.csv", format: "jsonl" });
    expect(forced.reader).toMatchObject({ format: "jsonl", detectedBy: "request" });
    expect(forced.values).toEqual(["malformed_json", "malformed_json"]);
  });

  // The archives are made by the zstd and bzip2 tools (the libraries read only); without them there is nothing to read.
  const tools = ["zstd", "bzip2"].every((tool) => spawnSync(tool, ["--help"]).error === undefined);
  it.skipIf(!tools)("reads zstd and bzip2 archives and refuses truncated ones, naming them", async () => {
    const text = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, t: `row ${i}` })).join("\n");
    for (const [tool, kind, decompressor] of [
      ["zstd", "zstd", "fzstd"],
      ["bzip2", "bzip2", "unbzip2-stream"],
    ] as const) {
      const packed = execFileSync(tool, ["-c"], { input: text });
      const opened = await open(packed, { name: `rows.jsonl.${tool === "zstd" ? "zst" : "bz2"}` });
      expect(opened.reader).toMatchObject({
        format: "jsonl",
        detectedBy: "extension",
        compression: kind,
        decompressor,
      });
      expect(opened.values).toHaveLength(5000);
      expect(opened.values[4999]).toEqual({ i: 4999, t: "row 4999" });
      await expect(open(packed.subarray(0, packed.length - 20), { name: "cut" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(new RegExp(`cut is not a complete ${kind} file`)),
      });
    }
  });
});

describe("formatFromContent", () => {
  it("reads plain text with neither commas nor tabs as JSON Lines, so its rows are skipped as malformed_json", () => {
    expect(formatFromContent(Buffer.from("just words\n"))).toBe("jsonl");
    expect(formatFromContent(Buffer.from(""))).toBe("jsonl");
  });
});

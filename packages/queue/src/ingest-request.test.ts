import { describe, expect, it } from "vitest";
import { IngestRequest, MAX_ROW_NESTING } from "./ingest-request.js";
import { parseBatchJobId } from "./job-ids.js";

describe("IngestRequest", () => {
  it("accepts each source type and fills defaults", () => {
    const file = IngestRequest.parse({
      collection: "c1",
      source: { type: "file", path: "a.jsonl" },
      text: "body",
    });
    expect(file.source).toEqual({ type: "file", path: "a.jsonl", format: "auto" });
    const hf = IngestRequest.parse({
      collection: "c1",
      source: { type: "hf", dataset: "BeIR/scifact", split: "train[:5%]" },
      text: ["title", "text"],
    });
    expect(hf.source.type).toBe("hf");
    expect(
      IngestRequest.safeParse({ collection: "c", source: { type: "rows", rows: [{ a: 1 }] }, text: "{a}" })
        .success,
    ).toBe(true);
  });

  it("names the field paths of what is wrong", () => {
    const result = IngestRequest.safeParse({
      collection: "bad name!",
      source: { type: "hf", dataset: "x", split: "train[a:b]" },
      text: [],
      chunking: { maxTokens: 16, overlap: 16 },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join(".")).sort();
    expect(paths).toEqual(["chunking.overlap", "collection", "source.split", "text"]);
  });

  it("takes an optional encoding for files and URLs, one TextDecoder knows", () => {
    const request = (encoding: string) =>
      IngestRequest.safeParse({
        collection: "c",
        source: { type: "url", url: "https://example.org/a.jsonl", encoding },
        text: "t",
      });
    expect(request("latin1").success).toBe(true);
    expect(request("utf-16le").success).toBe(true);
    const wrong = request("klingon");
    expect(wrong.error?.issues.map((i) => i.path.join("."))).toEqual(["source.encoding"]);
    expect(wrong.error?.issues[0]?.message).toMatch(/latin1/);
  });

  it("takes CSV settings and formats, refusing a delimiter that would split records", () => {
    const request = (source: Record<string, unknown>) =>
      IngestRequest.safeParse({
        collection: "c",
        source: { type: "file", path: "a.csv", ...source },
        text: "t",
      });
    expect(request({ format: "tsv", csv: { delimiter: ";", types: { n: "integer" } } }).success).toBe(true);
    expect(request({ format: "parquet" }).success).toBe(true);
    expect(request({ csv: { delimiter: "\n" } }).error?.issues[0]?.path).toEqual([
      "source",
      "csv",
      "delimiter",
    ]);
    expect(request({ csv: { types: { n: "date" } } }).error?.issues[0]?.path).toEqual([
      "source",
      "csv",
      "types",
      "n",
    ]);
    expect(request({ format: "xml" }).error?.issues[0]?.path).toEqual(["source", "format"]);
  });

  it("refuses unknown fields anywhere in the request, naming them", () => {
    const base = { collection: "c", source: { type: "rows", rows: [{ a: 1 }] }, text: "{a}" };
    for (const [request, path, key] of [
      [{ ...base, paylod: { include: ["a"] } }, "", "paylod"],
      [{ ...base, source: { ...base.source, row: [] } }, "source", "row"],
      [{ ...base, chunking: { maxTokens: 64, overlapp: 8 } }, "chunking", "overlapp"],
      [{ ...base, payload: { includes: ["a"] } }, "payload", "includes"],
    ] as const) {
      const issue = IngestRequest.safeParse(request).error?.issues[0];
      expect(issue).toMatchObject({ code: "unrecognized_keys", keys: [key] });
      expect(issue?.path.join(".")).toBe(path);
    }
  });

  it("says what text may be when it is neither a string nor a list", () => {
    const result = IngestRequest.safeParse({
      collection: "c",
      source: { type: "rows", rows: [{}] },
      text: 5,
    });
    expect(result.error?.issues[0]?.message).toBe(
      'expected a field name, a list of field names, or a template like "{title} {text}"',
    );
  });

  it("refuses collection names Qdrant would refuse or that name a directory's parent", () => {
    for (const collection of [".", "..", ".x", "a/b", "x".repeat(256)]) {
      const result = IngestRequest.safeParse({ collection, source: { type: "file", path: "a" }, text: "t" });
      expect(result.error?.issues[0]?.path, collection).toEqual(["collection"]);
    }
  });

  it("refuses inline rows nested deeper than MAX_ROW_NESTING, naming the row", () => {
    let row: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) row = [row];
    const result = IngestRequest.safeParse({
      collection: "c",
      source: { type: "rows", rows: [{ a: 1 }, row] },
      text: "a",
    });
    expect(result.error?.issues[0]).toMatchObject({
      path: ["source", "rows", 1],
      message: `nested deeper than the limit of ${MAX_ROW_NESTING} levels (objects and arrays)`,
    });
  });

  it("refuses URLs that are not http(s)", () => {
    const result = IngestRequest.safeParse({
      collection: "c",
      source: { type: "url", url: "file:///etc/passwd" },
      text: "t",
    });
    expect(result.success).toBe(false);
  });
});

describe("parseBatchJobId", () => {
  it("reads back the ingestion and batch index", () => {
    expect(parseBatchJobId("ing-1f-b12")).toEqual({ ingestionId: "ing-1f", batchIndex: 12 });
    expect(parseBatchJobId("ing-1f-read")).toBeUndefined();
  });
});

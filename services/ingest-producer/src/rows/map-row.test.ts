import { describe, expect, it } from "vitest";
import { chunkText } from "./chunk-text.js";
import { createRowMapper, neededColumns } from "./map-row.js";
import { compileText } from "./text-spec.js";

const rec = (value: unknown, line = 1) => ({ line, bytes: 10, value });

describe("compileText", () => {
  it("joins a field list, leaving absent fields out", () => {
    const build = compileText(["title", "meta.body"]);
    expect(build({ title: "T", meta: { body: "B" } })).toEqual({ text: "T\nB" });
    expect(build({ meta: { body: "B" } })).toEqual({ text: "B" });
    expect(build({ other: 1 })).toMatchObject({ skip: "missing_text" });
    expect(build({ title: " " })).toMatchObject({ skip: "empty_text" });
    expect(build({ title: 5 })).toMatchObject({ skip: "non_string_text" });
  });

  it("fills a template, with literal braces and numbers", () => {
    const build = compileText("{name}. {description} {{v{year}}}");
    expect(build({ name: "Acme", description: "Tools", year: 1999 })).toEqual({
      text: "Acme. Tools {v1999}",
    });
    expect(build({ name: "Acme", year: 1 })).toMatchObject({
      skip: "unknown_template_field",
      message: expect.stringContaining("description"),
    });
    expect(build({ name: "A", description: { x: 1 }, year: 1 })).toMatchObject({ skip: "non_string_text" });
  });

  it("refuses a template without placeholders or with an unclosed brace", () => {
    expect(() => compileText("{name")).toThrow(/invalid text template/);
    expect(() => compileText("a } b")).toThrow(/unmatched/);
    expect(() => compileText("{{literal}}")).toThrow(/no \{field\} placeholder/);
  });
});

describe("createRowMapper", () => {
  it("uses the id field or derives the id from the source and line", () => {
    const withId = createRowMapper({ text: "t", id: "pk" }, "file:a.jsonl");
    expect(withId(rec({ pk: 42, t: "x" }))).toMatchObject({ rows: [{ rowId: "42", chunk: 0, text: "x" }] });
    expect(withId(rec({ t: "x" }))).toMatchObject({ skip: "missing_id" });
    expect(withId(rec({ pk: { a: 1 }, t: "x" }))).toMatchObject({ skip: "invalid_id" });
    const derived = createRowMapper({ text: "t" }, "file:a.jsonl");
    expect(derived(rec({ t: "x" }, 7))).toMatchObject({ rows: [{ rowId: "file:a.jsonl#7", line: 7 }] });
  });

  it("keeps payload fields by include/exclude and passes reader skips through", () => {
    const map = createRowMapper({ text: "t", payload: { include: ["t", "a", "b"], exclude: ["b"] } }, "k");
    expect(map(rec({ t: "x", a: 1, b: 2, c: 3 }))).toMatchObject({ rows: [{ payload: { t: "x", a: 1 } }] });
    expect(map({ line: 3, bytes: 1, skip: "malformed_json", message: "bad" })).toEqual({
      line: 3,
      bytes: 1,
      skip: "malformed_json",
      message: "bad",
    });
    expect(map(rec([1, 2]))).toMatchObject({ skip: "not_an_object" });
  });

  it("splits long texts into chunks whose payload points at the row", () => {
    const words = Array.from({ length: 25 }, (_, i) => `w${i}`).join(" ");
    const map = createRowMapper({ text: "t", id: "id", chunking: { maxTokens: 10, overlap: 2 } }, "k");
    const mapped = map(rec({ id: "r1", t: words }));
    if (!("rows" in mapped)) throw new Error("expected rows");
    expect(mapped.rows.map((r) => r.chunk)).toEqual([0, 1, 2]);
    expect(mapped.rows[1]?.text.split(" ")[0]).toBe("w8");
    expect(mapped.rows[2]?.payload._chunk).toEqual({
      rowId: "r1",
      index: 2,
      count: 3,
      text: mapped.rows[2]?.text,
    });
  });
});

describe("chunkText", () => {
  it("covers every word and returns short texts unchanged", () => {
    expect(chunkText("a  b\nc", 5, 1)).toEqual(["a  b\nc"]);
    const chunks = chunkText("1 2 3 4 5 6 7", 3, 1);
    expect(chunks).toEqual(["1 2 3", "3 4 5", "5 6 7"]);
  });
});

describe("neededColumns", () => {
  it("names the top-level fields of text, id and kept payload, or none when the payload keeps everything", () => {
    expect(
      neededColumns({ text: "{title} {meta.body}", id: "doc.id", payload: { include: ["city"] } }),
    ).toEqual(["title", "meta", "doc", "city"]);
    expect(neededColumns({ text: ["a", "b"] })).toBeUndefined();
  });
});

describe("createRowMapper with pre-computed vectors", () => {
  const mapper = createRowMapper(
    { text: "t", vectors: { dense: "emb", sparse: "sp" }, payload: { exclude: ["x"] } },
    "file:v.jsonl",
    3,
  );
  const map = (value: unknown) => mapper({ line: 4, bytes: 10, value });

  it("carries checked vectors with the row and leaves them out of the payload", () => {
    expect(map({ t: "a", emb: [0.1, 0.2, 0.3], sp: { indices: [1, 5], values: [0.5, 2] }, keep: 1 })).toEqual(
      {
        rows: [
          {
            rowId: "file:v.jsonl#4",
            line: 4,
            chunk: 0,
            text: "a",
            payload: { t: "a", keep: 1 },
            vectors: { dense: [0.1, 0.2, 0.3], sparse: { indices: [1, 5], values: [0.5, 2] } },
          },
        ],
      },
    );
  });

  it("skips a row whose vectors do not fit, naming the field and the expected size", () => {
    const sp = { indices: [1], values: [1] };
    expect(map({ t: "a", emb: [1, 2], sp })).toEqual({
      skip: "invalid_vector",
      message: `dense vector field "emb" has 2 numbers; the collection's dense vectors have 3`,
    });
    expect(map({ t: "a", sp })).toMatchObject({
      skip: "invalid_vector",
      message: expect.stringMatching(/missing/),
    });
    expect(map({ t: "a", emb: [1, "2", 3], sp })).toMatchObject({ skip: "invalid_vector" });
    expect(map({ t: "a", emb: [1, 2, 3] })).toMatchObject({ rows: [{ vectors: { dense: [1, 2, 3] } }] });
    expect(map({ t: "a", emb: [1, 2, 3], sp: { indices: [1, 2], values: [1] } })).toMatchObject({
      skip: "invalid_vector",
      message: expect.stringMatching(/sparse vector field "sp"/),
    });
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { convertGraph } from "./convert-graph.js";
import { encodeOnnxModel } from "./onnx-proto.js";
import { SUPPORTED_OPS } from "./tf-ops.js";
import { loadTfjsModel } from "./tfjs-model.js";
import { RESERVED_IDS, unigramVocabulary } from "./tokenizer-json.js";

const source = await loadTfjsModel();

describe("convertGraph", () => {
  it("maps every op type the source graph uses", () => {
    const used = [...new Set(source.nodes.map((n) => n.op))].sort();
    expect(used.length).toBeGreaterThanOrEqual(40);
    expect(used.filter((op) => !SUPPORTED_OPS.includes(op))).toEqual([]);
  });

  it("gives the encoder interface and byte-identical output on every run", () => {
    const first = convertGraph(source, "test");
    expect(first.opset).toBe(18);
    expect(first.inputs.map((i) => [i.name, i.shape])).toEqual([
      ["input_ids", ["batch", "sequence"]],
      ["attention_mask", ["batch", "sequence"]],
    ]);
    expect(first.outputs.map((o) => [o.name, o.shape])).toEqual([
      ["sentence_embedding", ["batch", 512]],
      ["last_hidden_state", ["batch", "tokens", 512]],
    ]);
    const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
    expect(digest(encodeOnnxModel(convertGraph(source, "test")))).toBe(digest(encodeOnnxModel(first)));
  });
});

describe("unigramVocabulary", () => {
  it("keeps ids, scores null as 0 and makes the reserved rows unmatchable", () => {
    const rows = unigramVocabulary(source.vocabulary);
    expect(rows).toHaveLength(source.vocabulary.length);
    expect(rows[0]).toEqual(["\uFFFD", 0]);
    for (let id = 1; id < RESERVED_IDS; id++) expect(rows[id]?.[0]).toContain(" ");
    const nullScored = source.vocabulary.flatMap(([, score], id) => (score === null ? [id] : []));
    expect(nullScored.length).toBeGreaterThan(0);
    for (const id of nullScored) expect(rows[id]?.[1]).toBe(0);
    const pieces = (list: ReadonlyArray<readonly [string, unknown]>) =>
      list.slice(RESERVED_IDS).map(([p]) => p);
    expect(pieces(rows)).toEqual(pieces(source.vocabulary));
  });
});

import { describe, expect, it } from "vitest";
import { denseModelSpec, isModelPath } from "./catalogue.js";

describe("dense model catalogue", () => {
  it("follows each model's reference implementation, not fastembed's E5 prefixes", () => {
    expect(denseModelSpec("sentence-transformers/all-MiniLM-L6-v2")).toMatchObject({
      dim: 384,
      pooling: "mean",
      documentPrefix: "",
      queryPrefix: "",
      maxLength: 256,
      source: {
        kind: "fastembed",
        archive: "sentence-transformers-all-MiniLM-L6-v2.tar.gz",
        dirName: "fast-all-MiniLM-L6-v2",
      },
    });
    expect(denseModelSpec("BAAI/bge-small-en-v1.5")).toMatchObject({
      dim: 384,
      pooling: "cls",
      documentPrefix: "",
      queryPrefix: "Represent this sentence for searching relevant passages: ",
      source: { kind: "fastembed", dirName: "fast-bge-small-en-v1.5", modelFile: "model_optimized.onnx" },
    });
    expect(denseModelSpec("offline/use-lite")).toMatchObject({
      dim: 512,
      pooling: "model",
      source: { kind: "offline" },
    });
  });

  it("takes paths as ONNX directories and rejects other unknown names", () => {
    expect(denseModelSpec("/models/my-onnx").source).toEqual({ kind: "path", dir: "/models/my-onnx" });
    expect(isModelPath("./here")).toBe(true);
    expect(isModelPath("acme/model")).toBe(false);
    expect(() => denseModelSpec("acme/model")).toThrow(
      /unknown dense model "acme\/model": use one of sentence-transformers\/all-MiniLM-L6-v2, sentence-transformers\/all-MiniLM-L6-v2-int8, BAAI\/bge-small-en-v1.5, offline\/use-lite, or a path/,
    );
  });
});

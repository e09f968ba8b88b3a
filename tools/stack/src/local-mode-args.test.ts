import { describe, expect, it } from "vitest";
import { localModeArgs } from "./local-mode-args.js";

describe("localModeArgs", () => {
  it("serves the configured dense model from the model cache only with INFERENCE=server", () => {
    expect(localModeArgs({})).toEqual([]);
    expect(localModeArgs({ INFERENCE: "mixed" })).toEqual([]);
    expect(
      localModeArgs({ INFERENCE: "server", DENSE_MODEL: "offline/use-lite", MODEL_CACHE_DIR: "/m" }),
    ).toEqual(["--dense-model", "offline/use-lite", "--model-cache", "/m"]);
    expect(localModeArgs({ INFERENCE: "server" })).toEqual([
      "--dense-model",
      "sentence-transformers/all-MiniLM-L6-v2",
      "--model-cache",
      ".cache/models",
    ]);
  });
});

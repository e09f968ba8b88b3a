import { loadConfig } from "@hybrid/config";
import { describe, expect, it } from "vitest";
import { parseStackArgs, StackEnv } from "./stack-env.js";

describe("stack configuration", () => {
  it("defaults to 2 workers on the usual ports", () => {
    expect(loadConfig(StackEnv, {})).toMatchObject({
      WORKERS: 2,
      QUERY_PORT: 8000,
      PRODUCER_PORT: 8001,
      QDRANT_PORT: 6333,
    });
  });

  it("names a bad variable", () => {
    expect(() => loadConfig(StackEnv, { WORKERS: "many" })).toThrow(/WORKERS \("many"\)/);
  });

  it("parses --workers and --demo, and rejects what it does not know", () => {
    expect(parseStackArgs(["--", "--workers", "3", "--demo"])).toEqual({ workers: 3, demo: true });
    expect(parseStackArgs(["--workers=0"])).toEqual({ workers: 0, demo: false });
    expect(() => parseStackArgs(["--workers", "x"])).toThrow(/--workers wants a whole number/);
    expect(() => parseStackArgs(["--frobnicate"])).toThrow(/unknown argument --frobnicate/);
  });
});

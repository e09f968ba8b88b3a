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

  it("restarts crashed children after 1 s doubling to 30 s, and gives up after 5 crashes a minute", () => {
    expect(loadConfig(StackEnv, {})).toMatchObject({
      RESTART_BACKOFF_MS: 1000,
      RESTART_BACKOFF_MAX_MS: 30_000,
      RESTART_MAX_CRASHES: 5,
      RESTART_WINDOW_S: 60,
    });
    expect(() => loadConfig(StackEnv, { RESTART_MAX_CRASHES: "-1" })).toThrow(/RESTART_MAX_CRASHES/);
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

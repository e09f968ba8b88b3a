import { describe, expect, it } from "vitest";
import { LoadSamples, percentile } from "./search-load.js";

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe("LoadSamples", () => {
  it("pools every response of all rounds instead of averaging the rounds' percentiles", () => {
    const samples = new LoadSamples(8);
    samples.addRound([1, 1, 1, 1], 2, 0);
    samples.addRound([100, 100], 2, 3);
    expect(samples.figures()).toEqual({
      connections: 8,
      seconds: 4,
      requests: 6,
      rps: 1.5,
      p50Ms: 1,
      p99Ms: 100,
      meanMs: 34,
      errors: 3,
    });
  });
});

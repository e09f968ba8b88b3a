import { describe, expect, it } from "vitest";
import { backoffDelay, retryWithBackoff } from "./retry-with-backoff.js";

const options = { attempts: 4, baseMs: 100, maxMs: 250 };

describe("backoffDelay", () => {
  it("doubles from the base up to the ceiling, jitter taking at most 20% off", () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, options, () => 0))).toEqual([100, 200, 250, 250]);
    expect(backoffDelay(2, options, () => 1)).toBe(160);
  });
});

describe("retryWithBackoff", () => {
  it("retries retryable failures with growing waits and returns the first success", async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`try ${calls}`);
        return "ok";
      },
      options,
      { shouldRetry: () => true, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(80);
    expect(waits[1]).toBeGreaterThanOrEqual(160);
  });

  it("gives up after the last attempt with the last error", async () => {
    let calls = 0;
    const run = retryWithBackoff(
      async () => {
        calls++;
        throw new Error(`try ${calls}`);
      },
      options,
      { shouldRetry: () => true, sleep: async () => {} },
    );
    await expect(run).rejects.toThrow("try 4");
    expect(calls).toBe(4);
  });

  it("throws a non-retryable error at once", async () => {
    let calls = 0;
    const run = retryWithBackoff(
      async () => {
        calls++;
        throw new Error("bad request");
      },
      options,
      { shouldRetry: () => false, sleep: async () => {} },
    );
    await expect(run).rejects.toThrow("bad request");
    expect(calls).toBe(1);
  });
});

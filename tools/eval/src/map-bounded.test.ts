import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { mapBounded } from "./map-bounded.js";

describe("mapBounded", () => {
  it("keeps input order and never exceeds the bound", async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0], 3, async (ms, i) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await sleep(ms);
      inFlight -= 1;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(3);
  });

  it("rethrows the first failure and starts nothing after it", async () => {
    const started: number[] = [];
    const run = mapBounded([0, 1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 1) throw new Error("boom at 1");
      return n;
    });
    await expect(run).rejects.toThrow("boom at 1");
    expect(started).toEqual([0, 1]);
  });

  it("refuses a concurrency below 1", async () => {
    await expect(mapBounded([1], 0, async (n) => n)).rejects.toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { createReadGuard } from "./read-guard.js";

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("createReadGuard", () => {
  it("times out a step that moves no bytes, and aborts the signal with the same error", async () => {
    const guard = createReadGuard({ idleTimeoutMs: 100, check: async () => false });
    try {
      await expect(guard.step(after(2000, "late"))).rejects.toMatchObject({
        code: "TIMEOUT",
        retryable: false,
        message: expect.stringMatching(/no data for 100 ms \(SOURCE_IDLE_TIMEOUT_MS\)/),
      });
      expect(guard.signal.aborted).toBe(true);
      expect(guard.signal.reason).toBe(guard.timedOut);
      expect(guard.cancelled).toBe(false);
    } finally {
      await guard.close();
    }
  });

  it("does not time out a slow step while its bytes keep moving, nor count time spent outside steps", async () => {
    const guard = createReadGuard({ idleTimeoutMs: 150, check: async () => false });
    let bytes = 0;
    const trickle = setInterval(() => {
      bytes += 1;
    }, 30);
    guard.watchBytes(() => bytes);
    try {
      expect(await guard.step(after(500, "slow row"))).toBe("slow row");
      clearInterval(trickle);
      // Backpressure: waiting on the queue, not the source.
      await after(400, undefined);
      expect(await guard.step(after(50, "next"))).toBe("next");
    } finally {
      clearInterval(trickle);
      await guard.close();
    }
  });

  it("stops a pending step once check reports the cancel", async () => {
    let cancel = false;
    const guard = createReadGuard({ idleTimeoutMs: 60_000, checkEveryMs: 20, check: async () => cancel });
    try {
      const pending = guard.step(new Promise<never>(() => {}));
      setTimeout(() => {
        cancel = true;
      }, 50);
      await expect(pending).rejects.toThrow(/cancelled/);
      expect(guard.cancelled).toBe(true);
      expect(guard.timedOut).toBeUndefined();
    } finally {
      await guard.close();
    }
  });
});

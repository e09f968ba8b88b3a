import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRssBytes, parseStat, sampleGroups, UsageAccumulator } from "./proc-stats.js";

describe("parseStat", () => {
  it("reads the process group and utime + stime past a command name with spaces and parentheses", () => {
    const stat =
      "4242 (python3 (pool) x) S 4200 4100 4100 0 -1 4194304 5000 0 0 0 1234 56 7 8 20 0 3 0 99 1000000 2000 18446744073709551615";
    expect(parseStat(stat)).toEqual({ pgid: 4100, cpuTicks: 1290 });
  });

  it("refuses a line it cannot read", () => {
    expect(() => parseStat("1 (x) S")).toThrow(/unreadable/);
  });

  it("agrees with this process's own /proc entry", () => {
    const { pgid } = parseStat(readFileSync("/proc/self/stat", "utf8"));
    const [self] = sampleGroups(new Set([pgid])).filter((s) => s.pid === process.pid);
    expect(self?.rssBytes).toBeGreaterThan(10 * 2 ** 20);
  });
});

describe("parseRssBytes", () => {
  it("takes VmRSS in kB, and 0 when there is none (a zombie)", () => {
    expect(parseRssBytes("Name:\tnode\nVmRSS:\t  2048 kB\nThreads:\t7\n")).toBe(2048 * 1024);
    expect(parseRssBytes("Name:\tpython3\nState:\tZ (zombie)\n")).toBe(0);
  });
});

describe("UsageAccumulator", () => {
  const sample = (pid: number, cpuTicks: number, rssMiB: number) => ({
    pid,
    pgid: 1,
    cpuTicks,
    rssBytes: rssMiB * 2 ** 20,
  });

  it("counts a long-lived process from the first sample and a later one whole; peak RSS is the largest sum", () => {
    const acc = new UsageAccumulator();
    acc.add([sample(10, 500, 100)]);
    acc.add([sample(10, 600, 100), sample(11, 30, 50)]);
    acc.add([sample(10, 700, 120), sample(11, 80, 60)]);
    // Process 11 exited before the last sample: its last seen CPU still counts.
    acc.add([sample(10, 750, 90)]);
    expect(acc.usage(100)).toEqual({
      cpuSeconds: (750 - 500 + 80) / 100,
      peakRssBytes: 180 * 2 ** 20,
      processes: 2,
    });
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { labelOf, parseRssBytes, parseStat, sampleGroups, UsageAccumulator } from "./proc-stats.js";

describe("parseStat", () => {
  it("reads the process group and utime + stime past a command name with spaces and parentheses", () => {
    const stat =
      "4242 (python3 (pool) x) S 4200 4100 4100 0 -1 4194304 5000 0 0 0 1234 56 7 8 20 0 3 0 99 1000000 2000 18446744073709551615";
    expect(parseStat(stat)).toEqual({ ppid: 4200, pgid: 4100, cpuTicks: 1290 });
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

describe("labelOf", () => {
  it("names both sides' processes by what they run", () => {
    const node = "/usr/bin/node --import tsx";
    expect(labelOf(`${node} /repo/services/embed-worker/src/main.ts`, "node")).toBe("embed-worker");
    expect(labelOf(`/usr/bin/node /repo/packages/embeddings/src/onnx-runner-child.js {}`, "node")).toBe(
      "ONNX runner",
    );
    expect(labelOf("redis-server 127.0.0.1:6390", "node")).toBe("Redis");
    expect(labelOf("/venv/bin/python tutorial_ingest.py --url x", "node")).toBe("interpreter");
    const forkserver = "/venv/bin/python -c from multiprocessing.forkserver import main; main(8, 9)";
    expect(labelOf(forkserver, "/venv/bin/python tutorial_ingest.py")).toBe("forkserver");
    expect(labelOf(forkserver, forkserver)).toBe("pool worker");
    expect(
      labelOf("/venv/bin/python -c from multiprocessing.resource_tracker import main;main(7)", "x"),
    ).toBe("resource tracker");
  });
});

describe("parseRssBytes", () => {
  it("takes VmRSS in kB, and 0 when there is none (a zombie)", () => {
    expect(parseRssBytes("Name:\tnode\nVmRSS:\t  2048 kB\nThreads:\t7\n")).toBe(2048 * 1024);
    expect(parseRssBytes("Name:\tpython3\nState:\tZ (zombie)\n")).toBe(0);
  });
});

describe("UsageAccumulator", () => {
  const sample = (
    pid: number,
    cpuTicks: number,
    rssMiB: number,
    label = pid === 10 ? "worker" : "Redis",
  ) => ({
    pid,
    pgid: 1,
    ppid: 1,
    label,
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
    expect(acc.usage(100, ["Redis"])).toEqual({
      cpuSeconds: (750 - 500 + 80) / 100,
      peakRssBytes: 180 * 2 ** 20,
      processes: 2,
      byLabel: [
        { label: "worker", processes: 1, cpuSeconds: 2.5, peakRssBytes: 120 * 2 ** 20 },
        { label: "Redis", processes: 1, cpuSeconds: 0.8, peakRssBytes: 60 * 2 ** 20 },
      ],
      // Without Redis: the worker alone, its own peak.
      matched: { cpuSeconds: 2.5, peakRssBytes: 120 * 2 ** 20 },
    });
  });

  it("keeps a process's label once it has exited (a zombie has no command line left)", () => {
    const acc = new UsageAccumulator();
    acc.add([sample(10, 0, 100, "pool worker")]);
    acc.add([sample(10, 300, 0, "unknown")]);
    expect(acc.usage(100).byLabel).toEqual([
      { label: "pool worker", processes: 1, cpuSeconds: 3, peakRssBytes: 100 * 2 ** 20 },
    ]);
  });
});

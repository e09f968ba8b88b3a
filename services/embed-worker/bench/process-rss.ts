import { readdirSync, readFileSync } from "node:fs";

/** Resident set size (bytes) of every process in process group `pgid`: a worker and its ONNX runner. */
export function groupRssBytes(pgid: number): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      total += kb ? Number(kb) * 1024 : 0;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** Samples `groupRssBytes` of each group every `intervalMs`; `stop()` returns the peak per group. */
export function sampleGroupRss(pgids: number[], intervalMs = 200): { stop(): number[] } {
  const peaks = pgids.map(() => 0);
  const sample = () => {
    pgids.forEach((pgid, i) => {
      peaks[i] = Math.max(peaks[i] ?? 0, groupRssBytes(pgid));
    });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}

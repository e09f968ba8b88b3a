import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc shows it at one moment. */
export interface ProcSample {
  pid: number;
  pgid: number;
  /** utime + stime, clock ticks (children not included: each process is sampled itself). */
  cpuTicks: number;
  rssBytes: number;
}

/**
 * Fields of `/proc/<pid>/stat` after the command name, which is in parentheses and may itself hold spaces and
 * parentheses (`(python3 (x))`): everything up to the last `)` belongs to it.
 */
export function parseStat(stat: string): { pgid: number; cpuTicks: number } {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // From `state` (field 3 of stat(5)): pgrp is field 5, utime 14 and stime 15.
  const at = (field: number) => Number(fields[field - 3]);
  const pgid = at(5);
  const cpuTicks = at(14) + at(15);
  if (!Number.isFinite(pgid) || !Number.isFinite(cpuTicks)) throw new Error(`unreadable stat line: ${stat}`);
  return { pgid, cpuTicks };
}

/** Resident set of a process from `/proc/<pid>/status` (0 for a zombie, which has none). */
export function parseRssBytes(status: string): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Every process whose process group is one of `pgids`. */
export function sampleGroups(pgids: ReadonlySet<number>): ProcSample[] {
  const out: ProcSample[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { pgid, cpuTicks } = parseStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (!pgids.has(pgid)) continue;
      const rssBytes = parseRssBytes(readFileSync(`/proc/${entry}/status`, "utf8"));
      out.push({ pid: Number(entry), pgid, cpuTicks, rssBytes });
    } catch {
      // The process ended between the directory listing and the read.
    }
  }
  return out;
}

export interface Usage {
  cpuSeconds: number;
  /** Largest sum of the resident sets of all processes seen in one sample. */
  peakRssBytes: number;
  /** Distinct processes seen. */
  processes: number;
}

/**
 * CPU and peak memory of a set of processes from successive samples. A process there at the first sample counts its
 * CPU from then on (long-lived services: only the measured span); one that appears later (the tutorial's worker
 * pools) counts its whole CPU. A process that exits between samples loses at most one interval of its CPU.
 */
export class UsageAccumulator {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private peakRss = 0;
  private samples = 0;

  add(samples: ProcSample[]): void {
    let rss = 0;
    for (const s of samples) {
      if (!this.last.has(s.pid)) this.first.set(s.pid, this.samples === 0 ? s.cpuTicks : 0);
      this.last.set(s.pid, Math.max(this.last.get(s.pid) ?? 0, s.cpuTicks));
      rss += s.rssBytes;
    }
    this.peakRss = Math.max(this.peakRss, rss);
    this.samples += 1;
  }

  usage(ticksPerSecond: number): Usage {
    let ticks = 0;
    for (const [pid, last] of this.last) ticks += last - (this.first.get(pid) ?? 0);
    return { cpuSeconds: ticks / ticksPerSecond, peakRssBytes: this.peakRss, processes: this.last.size };
  }
}

/** Linux's USER_HZ: 100 on every architecture Node runs on (`getconf CLK_TCK`). */
export const TICKS_PER_SECOND = 100;

/** Samples the process groups every `intervalMs` until `stop()`, which takes a last sample and returns the usage. */
export function meterGroups(pgids: number[], intervalMs = 100): { stop(): Usage } {
  const groups = new Set(pgids);
  const acc = new UsageAccumulator();
  acc.add(sampleGroups(groups));
  const timer = setInterval(() => acc.add(sampleGroups(groups)), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      acc.add(sampleGroups(groups));
      return acc.usage(TICKS_PER_SECOND);
    },
  };
}

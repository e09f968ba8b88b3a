import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc shows it at one moment. */
export interface ProcSample {
  pid: number;
  pgid: number;
  ppid: number;
  /** What the process is, from its command line (`labelOf`). */
  label: string;
  /** utime + stime, clock ticks (children not included: each process is sampled itself). */
  cpuTicks: number;
  rssBytes: number;
}

/**
 * Fields of `/proc/<pid>/stat` after the command name, which is in parentheses and may itself hold spaces and
 * parentheses (`(python3 (x))`): everything up to the last `)` belongs to it.
 */
export function parseStat(stat: string): { ppid: number; pgid: number; cpuTicks: number } {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // From `state` (field 3 of stat(5)): ppid is field 4, pgrp 5, utime 14 and stime 15.
  const at = (field: number) => Number(fields[field - 3]);
  const ppid = at(4);
  const pgid = at(5);
  const cpuTicks = at(14) + at(15);
  if (![ppid, pgid, cpuTicks].every(Number.isFinite)) throw new Error(`unreadable stat line: ${stat}`);
  return { ppid, pgid, cpuTicks };
}

/**
 * A short name for what a process does, from its command line and its parent's: the bench's breakdown of each side.
 * multiprocessing's pool workers are forked from the forkserver and keep its command line.
 */
export function labelOf(command: string, parentCommand: string): string {
  if (command.includes("onnx-runner-child")) return "ONNX runner";
  if (command.includes("redis-server")) return "Redis";
  const service = /services\/([\w-]+)\/src\/main\.ts/.exec(command)?.[1];
  if (service) return service;
  if (command.includes("esbuild")) return "esbuild (tsx)";
  if (command.includes("tutorial_ingest.py")) return "interpreter";
  if (command.includes("resource_tracker")) return "resource tracker";
  if (command.includes("forkserver"))
    return parentCommand.includes("forkserver") ? "pool worker" : "forkserver";
  return command.split(" ")[0]?.split("/").pop() || UNKNOWN;
}

const UNKNOWN = "unknown";

const commandOf = (pid: number | string) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
};

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
      const { ppid, pgid, cpuTicks } = parseStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (!pgids.has(pgid)) continue;
      const rssBytes = parseRssBytes(readFileSync(`/proc/${entry}/status`, "utf8"));
      const label = labelOf(commandOf(entry), commandOf(ppid));
      out.push({ pid: Number(entry), pgid, ppid, label, cpuTicks, rssBytes });
    } catch {
      // The process ended between the directory listing and the read.
    }
  }
  return out;
}

/** The processes of one label. */
export interface LabelUsage {
  label: string;
  processes: number;
  cpuSeconds: number;
  /** Largest sum of these processes' resident sets in one sample. */
  peakRssBytes: number;
}

export interface Usage {
  cpuSeconds: number;
  /** Largest sum of the resident sets of all processes seen in one sample. */
  peakRssBytes: number;
  /** Distinct processes seen. */
  processes: number;
  /** The same per label, largest CPU first. */
  byLabel: LabelUsage[];
  /** CPU and peak RSS without the processes labelled as unmatched (the other side has no counterpart for them). */
  matched: { cpuSeconds: number; peakRssBytes: number };
}

/**
 * CPU and peak memory of a set of processes from successive samples. A process there at the first sample counts its
 * CPU from then on (long-lived services: only the measured span); one that appears later (the tutorial's worker
 * pools) counts its whole CPU. A process that exits between samples loses at most one interval of its CPU.
 */
export class UsageAccumulator {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly labels = new Map<number, string>();
  /** Each sample's resident bytes per label. */
  private readonly rssByLabel: Array<Map<string, number>> = [];

  add(samples: ProcSample[]): void {
    const rss = new Map<string, number>();
    for (const s of samples) {
      if (!this.last.has(s.pid)) this.first.set(s.pid, this.rssByLabel.length === 0 ? s.cpuTicks : 0);
      this.last.set(s.pid, Math.max(this.last.get(s.pid) ?? 0, s.cpuTicks));
      // A process keeps the first label read for it: an exiting one (a zombie) has no command line left.
      const known = this.labels.get(s.pid);
      const label = known === undefined || known === UNKNOWN ? s.label : known;
      this.labels.set(s.pid, label);
      rss.set(label, (rss.get(label) ?? 0) + s.rssBytes);
    }
    this.rssByLabel.push(rss);
  }

  /** Largest sum in one sample of the resident sets of the processes whose label `counts`. */
  private peakRss(counts: (label: string) => boolean): number {
    let peak = 0;
    for (const sample of this.rssByLabel) {
      let sum = 0;
      for (const [label, bytes] of sample) if (counts(label)) sum += bytes;
      peak = Math.max(peak, sum);
    }
    return peak;
  }

  usage(ticksPerSecond: number, unmatched: readonly string[] = []): Usage {
    const ticksByLabel = new Map<string, { ticks: number; processes: number }>();
    for (const [pid, last] of this.last) {
      const label = this.labels.get(pid) ?? UNKNOWN;
      const entry = ticksByLabel.get(label) ?? { ticks: 0, processes: 0 };
      entry.ticks += last - (this.first.get(pid) ?? 0);
      entry.processes += 1;
      ticksByLabel.set(label, entry);
    }
    const byLabel = [...ticksByLabel]
      .map(([label, { ticks, processes }]) => ({
        label,
        processes,
        cpuSeconds: ticks / ticksPerSecond,
        peakRssBytes: this.peakRss((l) => l === label),
      }))
      .sort((a, b) => b.cpuSeconds - a.cpuSeconds || a.label.localeCompare(b.label));
    return {
      cpuSeconds: byLabel.reduce((sum, l) => sum + l.cpuSeconds, 0),
      peakRssBytes: this.peakRss(() => true),
      processes: this.last.size,
      byLabel,
      matched: {
        cpuSeconds: byLabel
          .filter((l) => !unmatched.includes(l.label))
          .reduce((sum, l) => sum + l.cpuSeconds, 0),
        peakRssBytes: this.peakRss((label) => !unmatched.includes(label)),
      },
    };
  }
}

/** Linux's USER_HZ: 100 on every architecture Node runs on (`getconf CLK_TCK`). */
export const TICKS_PER_SECOND = 100;

/**
 * Samples the process groups every `intervalMs` until `stop()`, which takes a last sample and returns the usage
 * (`matched` without the processes labelled `unmatched`).
 */
export function meterGroups(
  pgids: number[],
  options: { intervalMs?: number; unmatched?: readonly string[] } = {},
): { stop(): Usage } {
  const { intervalMs = 100, unmatched = [] } = options;
  const groups = new Set(pgids);
  const acc = new UsageAccumulator();
  acc.add(sampleGroups(groups));
  const timer = setInterval(() => acc.add(sampleGroups(groups)), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      acc.add(sampleGroups(groups));
      return acc.usage(TICKS_PER_SECOND, unmatched);
    },
  };
}

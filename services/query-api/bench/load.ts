import { readdirSync, readFileSync } from "node:fs";
import autocannon from "autocannon";

export interface LoadResult {
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanMs: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  path: string;
  bodies: string[];
  connections: number;
  durationS: number;
}

/** POSTs `bodies` round-robin with autocannon at a fixed concurrency; latency percentiles in ms. */
export async function runLoad({
  url,
  path,
  bodies,
  connections,
  durationS,
}: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    pipelining: 1,
    requests: bodies.map((body) => ({
      method: "POST",
      path,
      body,
      headers: { "content-type": "application/json" },
    })),
  });
  return {
    connections,
    durationS,
    requests: result.requests.total,
    rps: round(result.requests.average),
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    meanMs: round(result.latency.mean),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * Several short runs of one target combined: requests and errors summed, req/s over the total time, latency figures the
 * median of the runs' figures (the shared machine's load comes in bursts; alternating short runs of the two targets
 * exposes both to the same bursts).
 */
export function combineRuns(runs: LoadResult[]): LoadResult {
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
  };
  const durationS = runs.reduce((t, r) => t + r.durationS, 0);
  const requests = runs.reduce((t, r) => t + r.requests, 0);
  return {
    connections: runs[0]?.connections ?? 0,
    durationS,
    requests,
    rps: round(requests / durationS),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p90Ms: median(runs.map((r) => r.p90Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    meanMs: round(median(runs.map((r) => r.meanMs))),
    errors: runs.reduce((t, r) => t + r.errors, 0),
    non2xx: runs.reduce((t, r) => t + r.non2xx, 0),
  };
}

/** Latency percentiles (ms, 0.01 ms resolution) of a list of samples. */
export function percentiles(samples: number[]): { p50Ms: number; p99Ms: number; meanMs: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return {
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    meanMs: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/**
 * Resident set size in MiB of a process and its descendants (the service runs ONNX Runtime in a child process),
 * from /proc (Linux).
 */
export function rssMiB(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      kb += Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? 0);
    } catch {
      // Exited meanwhile.
    }
  }
  return round(kb / 1024);
}

function processTree(pid: number): number[] {
  const out = [pid];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      for (const child of children ? children.split(/\s+/) : []) out.push(...processTree(Number(child)));
    }
  } catch {
    // Exited meanwhile.
  }
  return out;
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

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

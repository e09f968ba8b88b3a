import autocannon from "autocannon";
import { round } from "./ingest-measure.js";

/** Latency figures of one target at one concurrency, over every response of all its rounds. */
export interface LoadFigures {
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Connection errors, timeouts and non-2xx answers. */
  errors: number;
}

/** Percentile by the nearest-rank method over the samples (ms). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Sums rounds of one target: every response time kept, so percentiles are over all of them, not medians of rounds. */
export class LoadSamples {
  private readonly latencies: number[] = [];
  private seconds = 0;
  private errors = 0;

  constructor(private readonly connections: number) {}

  addRound(latenciesMs: number[], seconds: number, errors: number): void {
    this.latencies.push(...latenciesMs);
    this.seconds += seconds;
    this.errors += errors;
  }

  figures(): LoadFigures {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length);
    return {
      connections: this.connections,
      seconds: round(this.seconds),
      requests: sorted.length,
      rps: round(sorted.length / Math.max(this.seconds, 1e-9), 1),
      p50Ms: round(percentile(sorted, 0.5)),
      p99Ms: round(percentile(sorted, 0.99)),
      meanMs: round(mean),
      errors: this.errors,
    };
  }
}

/**
 * One autocannon round of GETs over `paths`; every 2xx response time. The connections share one walk through the list,
 * so requests in flight together ask different queries (the query API merges identical ones in flight, which a load
 * of 32 connections all starting at the first query would turn into a cache).
 */
export async function loadRound(
  url: string,
  paths: string[],
  connections: number,
  seconds: number,
): Promise<{ latenciesMs: number[]; errors: number }> {
  const latenciesMs: number[] = [];
  let failed = 0;
  let next = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const tracker = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: "GET",
            setupRequest: (request) => {
              const path = paths[next % paths.length] ?? "/";
              next += 1;
              return { ...request, path };
            },
          },
        ],
      },
      (error, answer) => (error ? reject(error) : resolve(answer)),
    );
    tracker.on("response", (_client, status: number, _bytes: number, responseTime: number) => {
      if (status >= 200 && status < 300) latenciesMs.push(responseTime);
      else failed += 1;
    });
  });
  return { latenciesMs, errors: failed + result.errors + result.timeouts };
}

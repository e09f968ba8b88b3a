import { monitorEventLoopDelay } from "node:perf_hooks";

export interface EventLoopStats {
  maxMs: number;
  p99Ms: number;
  meanMs: number;
}

/**
 * Records event-loop delay from now on. BullMQ renews a job's lock from a timer, so the largest delay seen is what
 * to compare with `LOCK_DURATION_MS / 2`.
 */
export function watchEventLoop(): { stats(): EventLoopStats } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return {
    stats: () => ({
      maxMs: ms(histogram.max),
      p99Ms: ms(histogram.percentile(99)),
      meanMs: ms(histogram.mean),
    }),
  };
}

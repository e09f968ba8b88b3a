import type { LoadResult } from "./load.js";

export interface BenchResults {
  date: string;
  machine: { cpus: number; loadAvg1mBefore: number; loadAvg1mAfter: number; node: string };
  setup: {
    points: number;
    vectors: string;
    queries: number;
    limit: number;
    mode: string;
    durationS: number;
    rounds: string;
  };
  interleavedC1: {
    requestsEach: number;
    bare: { p50Ms: number; p99Ms: number; meanMs: number };
    service: { p50Ms: number; p99Ms: number; meanMs: number };
    ratioP50: number;
    ratioMean: number;
  };
  cacheWarm: Array<{
    concurrency: number;
    service: LoadResult;
    bare: LoadResult;
    ratioP50: number;
    ratioMean: number;
    servicePeakRssMiB: number;
  }>;
  cacheOff: {
    embedShareOfServiceTime: number;
    embedShareOfClientLatency: number;
    meanEmbedMs: number;
    meanClientMs: number;
    load: LoadResult;
  };
  memory: { serviceRssAtRestMiB: number; servicePeakRssUnderLoadMiB: number; serviceRssAfterLoadMiB: number };
}

/** The README's bench section: setup line, the latency/throughput table, cache-off and memory lines. */
export function formatReport(r: BenchResults): string {
  const rows = r.cacheWarm.map(
    (w) =>
      `| ${w.concurrency} | ${w.service.p50Ms} | ${w.service.p99Ms} | ${w.service.rps} | ${w.bare.p50Ms} | ${w.bare.p99Ms} | ` +
      `${w.bare.rps} | **${w.ratioP50}** | ${w.ratioMean} | ${w.service.errors + w.service.non2xx} |`,
  );
  const off = r.cacheOff;
  return [
    `Run ${r.date}: ${r.setup.points} points (${r.setup.vectors}), ${r.setup.queries} SciFact claims round-robin, ` +
      `limit ${r.setup.limit}, ${r.setup.mode}; ${r.setup.rounds}; ${r.machine.cpus} CPUs, ` +
      `1-min load average ${r.machine.loadAvg1mBefore} before / ${r.machine.loadAvg1mAfter} after (shared machine), Node ${r.machine.node}.`,
    "",
    "Query-embedding cache warm (every claim seen once before). Concurrency 1, requests interleaved one by one " +
      `(bare, service, bare, ...; ${r.interleavedC1.requestsEach} each, timed at 0.01 ms): service p50 ` +
      `${r.interleavedC1.service.p50Ms} ms / p99 ${r.interleavedC1.service.p99Ms} ms, bare p50 ` +
      `${r.interleavedC1.bare.p50Ms} ms / p99 ${r.interleavedC1.bare.p99Ms} ms: **ratio ${r.interleavedC1.ratioP50} at p50**, ` +
      `${r.interleavedC1.ratioMean} on the mean.`,
    "",
    "autocannon (1 ms histogram steps; latency figures are the median over the alternating runs):",
    "",
    "| concurrency | service p50 ms | service p99 ms | service req/s | bare Qdrant p50 ms | bare p99 ms | bare req/s | ratio p50 | ratio mean | service errors |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `Cache off (EMBED_CACHE_SIZE=0, every request embeds its claim): query embedding is ${pct(off.embedShareOfServiceTime)} ` +
      `of the service's own time and ${pct(off.embedShareOfClientLatency)} of the latency a client sees ` +
      `(mean embed ${off.meanEmbedMs} ms of ${off.meanClientMs} ms, sequential); autocannon c=1: p50 ${off.load.p50Ms} ms, ` +
      `p99 ${off.load.p99Ms} ms, ${off.load.rps} req/s.`,
    "",
    `Service memory (RSS): ${r.memory.serviceRssAtRestMiB} MiB at rest (models loaded, cache warm), ` +
      `${r.memory.servicePeakRssUnderLoadMiB} MiB peak under load, ${r.memory.serviceRssAfterLoadMiB} MiB after.`,
  ].join("\n");
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

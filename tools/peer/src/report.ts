import type { IngestMeasure } from "./ingest-measure.js";
import { round } from "./ingest-measure.js";
import type { LoadFigures } from "./search-load.js";
import type { VectorCheck } from "./vector-check.js";

export interface SearchRow {
  concurrency: number;
  ours: LoadFigures;
  tutorial: LoadFigures;
}

export interface ServiceUsage {
  cpuMsPerRequest: number;
  peakRssMiB: number;
}

export interface PeerResults {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAverage1m: { before: number; after: number } };
  versions: Record<string, string>;
  setup: {
    processes: number;
    scifactDocs: number;
    startupsRows: number;
    queries: number;
    limit: number;
    prefetchLimit: number;
    roundSeconds: number;
    rounds: number;
  };
  vectors: VectorCheck;
  ingest: Array<{ ours: IngestMeasure; tutorial: IngestMeasure }>;
  search: SearchRow[];
  /** Of the first queries, how many got the same five documents from both services (and in the same order). */
  agreement: { queries: number; sameSet: number; sameOrder: number };
  /** The tutorial's service without the lock: searches answered 500 (or not at all) under 8 connections. */
  asWritten: { connections: number; requests: number; failed: number };
  services: { ours: ServiceUsage; tutorial: ServiceUsage };
}

/** ours / tutorial, two decimals; "n/a" when either side is missing or zero. */
export function ratio(ours: number, tutorial: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(tutorial) || tutorial === 0) return "n/a";
  return round(ours / tutorial).toFixed(2);
}

const label = (m: IngestMeasure) =>
  m.dataset === "scifact" ? `SciFact, ${m.rows.toLocaleString("en")} docs` : `startups, ${m.rows} rows`;

/** The Markdown the bench writes: ratios first, then both sides' figures, then the vector check and the setup. */
export function renderReport(r: PeerResults): string {
  const pairs = r.ingest;
  const head = `| ours / tutorial | ${pairs.map((p) => label(p.ours)).join(" | ")} |`;
  const rule = `| --- |${pairs.map(() => " ---: |").join("")}`;
  const row = (name: string, pick: (m: IngestMeasure) => number) =>
    `| ${name} | ${pairs.map((p) => `**${ratio(pick(p.ours), pick(p.tutorial))}**`).join(" | ")} |`;
  const ingestRatios = [
    head,
    rule,
    row("docs/s (higher is better)", (m) => m.docsPerSecond),
    row("CPU seconds per 1,000 docs (lower is better)", (m) => m.cpuSecondsPer1kDocs),
    row("peak RSS, all processes (lower is better)", (m) => m.peakRssMiB),
    row("CPU seconds per 1,000 docs, ours without Redis", (m) => m.matched.cpuSecondsPer1kDocs),
    row("peak RSS, ours without Redis", (m) => m.matched.peakRssMiB),
    row("time to first searchable point (lower is better)", (m) => m.firstPointSeconds),
  ];
  const searchRatios = [
    "| concurrency | p50 | p99 | req/s |",
    "| ---: | ---: | ---: | ---: |",
    ...r.search.map(
      (s) =>
        `| ${s.concurrency} | **${ratio(s.ours.p50Ms, s.tutorial.p50Ms)}** | **${ratio(s.ours.p99Ms, s.tutorial.p99Ms)}** | ` +
        `**${ratio(s.ours.rps, s.tutorial.rps)}** |`,
    ),
  ];
  const ingestFigures = [
    "| dataset | side | docs/s | CPU s / 1k docs | peak RSS (MiB) | processes | first point (s) | total (s) | start (s) | store CPU s / 1k docs | points |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...pairs.flatMap((p) =>
      [p.ours, p.tutorial].map(
        (m) =>
          `| ${label(m)} | ${m.side} | ${m.docsPerSecond} | ${m.cpuSecondsPer1kDocs} | ${m.peakRssMiB} | ${m.processes} | ` +
          `${m.firstPointSeconds} | ${m.seconds} | ${m.startSeconds} | ${m.storeCpuSecondsPer1kDocs} | ${m.points} |`,
      ),
    ),
  ];
  const processFigures = [
    "| dataset | side | process | count | CPU s / 1k docs | peak RSS (MiB) |",
    "| --- | --- | --- | ---: | ---: | ---: |",
    ...pairs.flatMap((p) =>
      [p.ours, p.tutorial].flatMap((m) =>
        m.byProcess.map(
          (b) =>
            `| ${label(m)} | ${m.side} | ${b.label} | ${b.processes} | ${b.cpuSecondsPer1kDocs} | ${b.peakRssMiB} |`,
        ),
      ),
    ),
  ];
  const searchFigures = [
    "| concurrency | side | p50 (ms) | p99 (ms) | mean (ms) | req/s | requests | errors |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.search.flatMap((s) =>
      (["ours", "tutorial"] as const).map((side) => {
        const f = s[side];
        return `| ${s.concurrency} | ${side} | ${f.p50Ms} | ${f.p99Ms} | ${f.meanMs} | ${f.rps} | ${f.requests} | ${f.errors} |`;
      }),
    ),
  ];
  const v = r.vectors;
  const s = r.setup;
  const notes = [
    `Vectors: on ${v.documents} documents and ${v.queries} queries both sides' dense vectors differ by at most ` +
      `${v.denseMaxAbsDiff.toExponential(1)}; BM25 vectors identical for ${v.sparseIdentical} of ${v.sparseCompared}. ` +
      `With MiniLM's tokenizer_config as shipped (512 tokens) fastembed's vectors differ from ours on ` +
      `${v.stock.documentsDiffering} of ${v.documents} documents (up to ${v.stock.denseMaxAbsDiff}); the bench gives it 256, ` +
      "sentence-transformers' limit and ours.",
    `Search agreement: ${r.agreement.sameSet} of ${r.agreement.queries} queries got the same ${s.limit} documents from ` +
      `both services (${r.agreement.sameOrder} in the same order). Per request: ours ${r.services.ours.cpuMsPerRequest} ms ` +
      `of CPU, peak RSS ${r.services.ours.peakRssMiB} MiB; tutorial ${r.services.tutorial.cpuMsPerRequest} ms, ` +
      `${r.services.tutorial.peakRssMiB} MiB.`,
    "The tutorial's service holds a lock around `query_points`: FastAPI runs its `def` endpoint on a thread pool and " +
      "qdrant-client's model embedder is not thread-safe. As written (no lock), " +
      `${r.asWritten.failed} of ${r.asWritten.requests} searches failed under ${r.asWritten.connections} connections.`,
    `Setup: ${s.processes} embedding processes a side (our workers; the tutorial's parallel=${s.processes}), the same ` +
      `store (this repo's Qdrant local mode, one process on loopback, a collection per side configured alike), the same ` +
      `rows and models; search: ${s.queries} SciFact queries, limit ${s.limit}, prefetch ${s.prefetchLimit} per vector, ` +
      `RRF, our query cache off, ${s.rounds} alternating rounds of ${s.roundSeconds} s per side and concurrency. ` +
      `${r.machine.cpus} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}, ` +
      `${Object.entries(r.versions)
        .map(([k, ver]) => `${k} ${ver}`)
        .join(
          ", ",
        )}; load average ${r.machine.loadAverage1m.before} → ${r.machine.loadAverage1m.after}; ${r.date}.`,
  ];
  return [
    "Ingestion, ours / tutorial:",
    "",
    ...ingestRatios,
    "",
    "Search (`GET /api/search`), ours / tutorial (lower latency and higher req/s are better):",
    "",
    ...searchRatios,
    "",
    ...ingestFigures,
    "",
    "Per process (peak RSS: the largest sum over a kind's processes in one sample):",
    "",
    ...processFigures,
    "",
    ...searchFigures,
    "",
    ...notes.flatMap((n) => [n, ""]),
  ]
    .join("\n")
    .trimEnd();
}

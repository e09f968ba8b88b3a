import type { Usage } from "./proc-stats.js";

/** One side's ingestion of one dataset. Times are seconds, memory MiB. */
export interface IngestMeasure {
  side: "ours" | "tutorial";
  dataset: string;
  rows: number;
  /** Points in the collection afterwards (this project skips rows whose text is empty). */
  points: number;
  /** Ingestion request to the last point: job submitted → job completed, or `upload_collection` called → returned. */
  seconds: number;
  docsPerSecond: number;
  /** Ingestion request to the first point the store counts. */
  firstPointSeconds: number;
  /** Ours: the stack's start to ready (not in `seconds`); tutorial: Python's launch to the `upload_collection` call. */
  startSeconds: number;
  /** The side's own processes over the ingestion (ours from the request; the tutorial's from its launch). */
  cpuSeconds: number;
  cpuSecondsPer1kDocs: number;
  peakRssMiB: number;
  processes: number;
  /** The shared store's CPU over the same span, per 1,000 docs. */
  storeCpuSecondsPer1kDocs: number;
  /** CPU and peak RSS without the processes the other side has no counterpart for (ours: Redis). */
  matched: { cpuSecondsPer1kDocs: number; peakRssMiB: number };
  /** Per kind of process (`labelOf`): how many, their CPU per 1,000 docs, their largest RSS summed in one sample. */
  byProcess: Array<{ label: string; processes: number; cpuSecondsPer1kDocs: number; peakRssMiB: number }>;
}

export function measureOf(
  base: Pick<IngestMeasure, "side" | "dataset" | "rows" | "points" | "startSeconds">,
  times: { requestAt: number; firstPointAt: number | undefined; doneAt: number },
  usage: Usage,
  store: Usage,
): IngestMeasure {
  const seconds = (times.doneAt - times.requestAt) / 1000;
  return {
    ...base,
    seconds: round(seconds),
    docsPerSecond: round(base.rows / seconds),
    firstPointSeconds:
      times.firstPointAt === undefined ? Number.NaN : round((times.firstPointAt - times.requestAt) / 1000),
    cpuSeconds: round(usage.cpuSeconds),
    cpuSecondsPer1kDocs: round((usage.cpuSeconds * 1000) / base.rows),
    peakRssMiB: mib(usage.peakRssBytes),
    processes: usage.processes,
    storeCpuSecondsPer1kDocs: round((store.cpuSeconds * 1000) / base.rows),
    matched: {
      cpuSecondsPer1kDocs: round((usage.matched.cpuSeconds * 1000) / base.rows),
      peakRssMiB: mib(usage.matched.peakRssBytes),
    },
    byProcess: usage.byLabel.map((l) => ({
      label: l.label,
      processes: l.processes,
      cpuSecondsPer1kDocs: round((l.cpuSeconds * 1000) / base.rows),
      peakRssMiB: mib(l.peakRssBytes),
    })),
  };
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

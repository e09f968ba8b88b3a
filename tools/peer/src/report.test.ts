import { describe, expect, it } from "vitest";
import type { IngestMeasure } from "./ingest-measure.js";
import { type PeerResults, ratio, renderReport } from "./report.js";
import type { LoadFigures } from "./search-load.js";

const ingest = (side: IngestMeasure["side"], docsPerSecond: number, cpu: number): IngestMeasure => ({
  side,
  dataset: "scifact",
  rows: 2000,
  points: 2000,
  seconds: 2000 / docsPerSecond,
  docsPerSecond,
  firstPointSeconds: side === "ours" ? 2 : 8,
  startSeconds: 1,
  cpuSeconds: cpu * 2,
  cpuSecondsPer1kDocs: cpu,
  peakRssMiB: side === "ours" ? 1500 : 1000,
  processes: 7,
  storeCpuSecondsPer1kDocs: 1,
  matched: {
    cpuSecondsPer1kDocs: side === "ours" ? cpu - 10 : cpu,
    peakRssMiB: side === "ours" ? 1400 : 1000,
  },
  byProcess:
    side === "ours"
      ? [
          { label: "ONNX runner", processes: 2, cpuSecondsPer1kDocs: cpu - 20, peakRssMiB: 600 },
          { label: "Redis", processes: 1, cpuSecondsPer1kDocs: 10, peakRssMiB: 100 },
        ]
      : [{ label: "pool worker", processes: 4, cpuSecondsPer1kDocs: cpu, peakRssMiB: 900 }],
});
const load = (p50Ms: number, rps: number): LoadFigures => ({
  connections: 8,
  seconds: 10,
  requests: rps * 10,
  rps,
  p50Ms,
  p99Ms: p50Ms * 3,
  meanMs: p50Ms,
  errors: 0,
});

describe("ratio", () => {
  it("is ours over the tutorial's, two decimals, and n/a where it cannot be", () => {
    expect(ratio(15, 10)).toBe("1.50");
    expect(ratio(1, 3)).toBe("0.33");
    expect(ratio(1, 0)).toBe("n/a");
    expect(ratio(Number.NaN, 2)).toBe("n/a");
  });
});

describe("renderReport", () => {
  const results: PeerResults = {
    date: "2026-01-01T00:00:00.000Z",
    machine: { cpus: 2, cpuModel: "x", node: "v20", loadAverage1m: { before: 1, after: 2 } },
    versions: { fastembed: "0.9.1" },
    setup: {
      processes: 2,
      scifactDocs: 2000,
      startupsRows: 259,
      queries: 300,
      limit: 5,
      prefetchLimit: 50,
      roundSeconds: 5,
      rounds: 2,
    },
    vectors: {
      documents: 96,
      queries: 48,
      denseMaxAbsDiff: 2e-7,
      sparseIdentical: 144,
      sparseCompared: 144,
      stock: { denseMaxAbsDiff: 0.1, documentsDiffering: 36 },
    },
    ingest: [{ ours: ingest("ours", 12, 150), tutorial: ingest("tutorial", 10, 200) }],
    search: [{ concurrency: 8, ours: load(20, 300), tutorial: load(80, 100) }],
    agreement: { queries: 50, sameSet: 49, sameOrder: 45 },
    asWritten: { connections: 8, requests: 100, failed: 60 },
    services: {
      ours: { cpuMsPerRequest: 5, peakRssMiB: 400 },
      tutorial: { cpuMsPerRequest: 20, peakRssMiB: 450 },
    },
  };
  const report = renderReport(results);

  it("leads with the ratios, ours over the tutorial's", () => {
    expect(report.indexOf("ours / tutorial")).toBeLessThan(report.indexOf("| dataset | side |"));
    expect(report).toContain("| ours / tutorial | SciFact, 2,000 docs |");
    expect(report).toContain("| docs/s (higher is better) | **1.20** |");
    expect(report).toContain("| CPU seconds per 1,000 docs (lower is better) | **0.75** |");
    expect(report).toContain("| time to first searchable point (lower is better) | **0.25** |");
    // Without the process the tutorial has no counterpart for: (150 - 10) / 200 and 1400 / 1000.
    expect(report).toContain("| CPU seconds per 1,000 docs, ours without Redis | **0.70** |");
    expect(report).toContain("| peak RSS, ours without Redis | **1.40** |");
    expect(report).toContain("| 8 | **0.25** | **0.25** | **3.00** |");
  });

  it("breaks each side down by kind of process", () => {
    expect(report).toContain("| SciFact, 2,000 docs | ours | ONNX runner | 2 | 130 | 600 |");
    expect(report).toContain("| SciFact, 2,000 docs | ours | Redis | 1 | 10 | 100 |");
    expect(report).toContain("| SciFact, 2,000 docs | tutorial | pool worker | 4 | 200 | 900 |");
  });

  it("states the vector check, the lock and the setup", () => {
    expect(report).toContain("BM25 vectors identical for 144 of 144");
    expect(report).toContain("60 of 100 searches failed under 8 connections");
    expect(report).toContain("fastembed 0.9.1");
  });
});

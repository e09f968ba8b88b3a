import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVAL_MODES } from "./modes.js";
import { type EvalReport, renderChart, renderMarkdownTable, writeReport } from "./report.js";

const report: EvalReport = {
  dataset: {
    name: "tiny <set>",
    dir: "/tmp/tiny",
    documents: 3,
    emptyDocuments: 0,
    queries: 2,
    judgments: 3,
    withoutRelevant: 0,
    missingQueries: [],
  },
  collection: "eval-tiny",
  models: { dense: "offline/use-lite", sparse: "Qdrant/bm25" },
  stack: "external",
  startedAt: "2026-01-01T00:00:00.000Z",
  ingestSeconds: 1,
  searchSeconds: 2,
  modes: EVAL_MODES.map((mode, i) => ({
    ...mode,
    metrics: { "ndcg@10": 0.1 * (i + 1), "recall@100": 0.9 - 0.1 * i, "mrr@10": 0.5 },
    queries: 2,
    withoutResults: 0,
    seconds: 0.5,
  })),
  random: { "ndcg@10": 0.01, "recall@100": 0.05, "mrr@10": 0.02 },
};

describe("renderMarkdownTable", () => {
  it("has a row per mode and bolds the best value of each metric (every tied best)", () => {
    const lines = renderMarkdownTable(report.modes).trim().split("\n");
    expect(lines).toHaveLength(2 + EVAL_MODES.length);
    expect(lines[0]).toBe("| mode            |    nDCG@10 | Recall@100 |     MRR@10 |");
    expect(lines[1]).toBe("| --------------- | ---------: | ---------: | ---------: |");
    expect(lines[2]).toBe("| dense           |     0.1000 | **0.9000** | **0.5000** |");
    expect(lines[6]).toBe("| hybrid DBSF     | **0.5000** |     0.5000 | **0.5000** |");
    const withRandom = renderMarkdownTable(report.modes, report.random).trim().split("\n");
    expect(withRandom[7]).toBe("| _random ranking (expected)_ |     0.0100 |     0.0500 |     0.0200 |");
  });
});

describe("renderChart", () => {
  it("draws a bar per mode in each of the three metric groups, with escaped labels", () => {
    const svg = renderChart(report);
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg.match(/class="bar"/g)).toHaveLength(EVAL_MODES.length * 3);
    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*>\n<title>tiny &#60;set&#62;, 2 queries/);
    expect(svg).toContain("tiny &#60;set&#62;");
    expect(svg).not.toContain("<set>");
    expect(svg).toContain(">0.500</text>");
  });
});

describe("writeReport", () => {
  it("writes results.json, results.md and chart.svg", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eval-report-"));
    try {
      const paths = await writeReport(report, join(dir, "out"));
      expect(JSON.parse(await readFile(paths.json, "utf8"))).toEqual(report);
      expect(await readFile(paths.markdown, "utf8")).toMatch(/\| hybrid RRF k=61 +\|/);
      expect(await readFile(paths.chart, "utf8")).toContain("<svg");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

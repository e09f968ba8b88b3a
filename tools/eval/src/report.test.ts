import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVAL_MODES } from "./modes.js";
import {
  type EvalReport,
  renderChart,
  renderMarkdownReport,
  renderMarkdownTable,
  writeReport,
} from "./report.js";

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
    failed: [],
    seconds: 0.5,
  })),
  searches: 2 * EVAL_MODES.length,
  failedSearches: 0,
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

describe("renderMarkdownReport", () => {
  it("says nothing about failures when every search answered", () => {
    expect(renderMarkdownReport(report)).not.toMatch(/failed/);
  });

  it("says how many searches failed and lists each with its query id and error", () => {
    const [dense, sparse, ...rest] = report.modes;
    if (!dense || !sparse) throw new Error("modes missing");
    const failedReport: EvalReport = {
      ...report,
      failedSearches: 3,
      modes: [
        { ...dense, queries: 1, failed: [{ queryId: "q|2", error: "POST /v1/search: HTTP 500:\n{boom}" }] },
        {
          ...sparse,
          queries: 0,
          failed: [
            { queryId: "q1", error: "no answer" },
            { queryId: "q|2", error: "no answer" },
          ],
        },
        ...rest,
      ],
    };
    const markdown = renderMarkdownReport(failedReport);
    expect(markdown).toContain(
      "**3 of 10 searches failed**; each mode's figures are over the queries whose search answered " +
        "(dense: 1, sparse (BM25): 0, hybrid RRF k=2: 2, hybrid RRF k=61: 2, hybrid DBSF: 2).",
    );
    expect(markdown).toContain("| dense | q\\|2 | POST /v1/search: HTTP 500: {boom} |");
    expect(markdown).toContain("| sparse (BM25) | q1 | no answer |");
    // A mode with no answered search has no figures, and does not take part in the bold best.
    expect(markdown).toMatch(/\| sparse \(BM25\) +\| +n\/a \| +n\/a \| +n\/a \|/);
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

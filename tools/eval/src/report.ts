import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderBarChartSvg } from "./chart-svg.js";
import { METRICS, type Metric, type MetricValues } from "./metrics.js";
import type { ModeRequest } from "./modes.js";

/** A search the query API did not answer (an HTTP error, no answer, an answer of the wrong shape). */
export interface FailedSearch {
  queryId: string;
  error: string;
}

export interface ModeResult {
  name: string;
  label: string;
  request: ModeRequest;
  /** Means over the judged queries whose search answered. */
  metrics: MetricValues;
  /** Judged queries the mean is over (those whose search answered). */
  queries: number;
  /** Judged queries that got no results at all (scored 0). */
  withoutResults: number;
  /** Searches of this mode that failed: left out of `metrics` and `queries`. */
  failed: FailedSearch[];
  /** Wall time of this mode's searches. */
  seconds: number;
}

/** Everything one `pnpm eval` run measured; written as results.json. */
export interface EvalReport {
  dataset: {
    name: string;
    dir: string;
    /** Rows in the corpus. */
    documents: number;
    /** Rows with an empty title and text: skipped by the producer, so never retrievable (they count as misses). */
    emptyDocuments: number;
    /** Judged queries evaluated. */
    queries: number;
    judgments: number;
    /** Judged queries without a document graded ≥ 1 (they score 0, as in trec_eval). */
    withoutRelevant: number;
    /** Query ids in the qrels but not in queries.jsonl: not searched, left out of every mean. */
    missingQueries: string[];
  };
  collection: string;
  /** Models the stack embedded with, as configured. */
  models: { dense: string; sparse: string };
  /** `started` when the command started its own stack, `external` when given URLs. */
  stack: "started" | "external";
  startedAt: string;
  ingestSeconds: number;
  searchSeconds: number;
  modes: ModeResult[];
  /** Searches made: judged queries times modes. */
  searches: number;
  /** Searches that failed, over every mode (each listed under its mode's `failed`). */
  failedSearches: number;
  /** What a uniformly random ranking of the corpus scores in expectation (the floor). */
  random: MetricValues;
}

export const METRIC_LABELS: Record<Metric, string> = {
  "ndcg@10": "nDCG@10",
  "recall@100": "Recall@100",
  "mrr@10": "MRR@10",
};

/**
 * The results as a Markdown table: a row per mode, a column per metric, the best value of each column in bold;
 * with `random`, a last row for the expectation of a random ranking.
 */
export function renderMarkdownTable(modes: readonly ModeResult[], random?: MetricValues): string {
  const scored = modes.filter((r) => r.queries > 0);
  const best = Object.fromEntries(METRICS.map((m) => [m, Math.max(...scored.map((r) => r.metrics[m]))]));
  const rows = modes.map((row) => [
    row.label,
    ...METRICS.map((m) => {
      // A mode whose every search failed has no mean to show.
      if (row.queries === 0) return "n/a";
      const text = row.metrics[m].toFixed(4);
      return row.metrics[m] === best[m] ? `**${text}**` : text;
    }),
  ]);
  if (random) rows.push(["_random ranking (expected)_", ...METRICS.map((m) => random[m].toFixed(4))]);
  return alignedTable(["mode", ...METRICS.map((m) => METRIC_LABELS[m])], rows);
}

/** A Markdown table padded the way the formatter lays it out: first column left-aligned, the others right-aligned. */
function alignedTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, 3, ...rows.map((r) => (r[c] ?? "").length)));
  const cell = (text: string, c: number) =>
    c === 0 ? text.padEnd(widths[c] ?? 0) : text.padStart(widths[c] ?? 0);
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `| ${widths.map((w, c) => (c === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return `${[line(header), rule, ...rows.map(line)].join("\n")}\n`;
}

/** A short Markdown document: what was measured, with which models, and the table. */
export function renderMarkdownReport(report: EvalReport): string {
  const d = report.dataset;
  return [
    `# ${d.name}: retrieval quality`,
    "",
    `${d.documents} documents, ${d.queries} judged queries (${d.judgments} judgments); dense model \`${report.models.dense}\`, ` +
      `sparse model \`${report.models.sparse}\`; measured ${report.startedAt}.`,
    "",
    renderMarkdownTable(report.modes, report.random),
    ...renderFailures(report),
  ].join("\n");
}

/** Says how many searches failed, that the means leave them out, and lists each (mode, query id, error). */
function renderFailures(report: EvalReport): string[] {
  if (report.failedSearches === 0) return [];
  const rows = report.modes.flatMap((mode) =>
    mode.failed.map((f) => `| ${mode.label} | ${tableCell(f.queryId)} | ${tableCell(f.error)} |`),
  );
  return [
    `**${report.failedSearches} of ${report.searches} searches failed**; each mode's figures are over the queries ` +
      `whose search answered (${report.modes.map((m) => `${m.label}: ${m.queries}`).join(", ")}).`,
    "",
    "| mode | query id | error |",
    "| --- | --- | --- |",
    ...rows,
    "",
  ];
}

/** Text in a Markdown table cell: one line, pipes escaped, bounded. */
function tableCell(text: string): string {
  const line = text.replace(/\s+/g, " ").replaceAll("|", "\\|");
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

export function renderChart(report: EvalReport): string {
  return renderBarChartSvg({
    title: `${report.dataset.name}, ${report.dataset.queries} queries: dense ${report.models.dense}, sparse ${report.models.sparse}`,
    groups: METRICS.map((m) => METRIC_LABELS[m]),
    series: report.modes.map((r) => ({ label: r.label, values: METRICS.map((m) => r.metrics[m]) })),
  });
}

export interface WrittenReport {
  json: string;
  markdown: string;
  chart: string;
}

/** Writes results.json, results.md and chart.svg under `outDir` (created if needed). */
export async function writeReport(report: EvalReport, outDir: string): Promise<WrittenReport> {
  await mkdir(outDir, { recursive: true });
  const paths = {
    json: join(outDir, "results.json"),
    markdown: join(outDir, "results.md"),
    chart: join(outDir, "chart.svg"),
  };
  await writeFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(paths.markdown, renderMarkdownReport(report));
  await writeFile(paths.chart, renderChart(report));
  return paths;
}

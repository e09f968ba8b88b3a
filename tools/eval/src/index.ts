export {
  type BeirDataset,
  type CorpusRow,
  DatasetError,
  parseQrels,
  parseQueries,
  type Qrels,
  readBeirDataset,
  readCorpus,
} from "./beir.js";
export { type BarChartOptions, type BarSeries, renderBarChartSvg } from "./chart-svg.js";
export {
  evaluateQuery,
  evaluateRun,
  METRICS,
  type Metric,
  type MetricValues,
  ndcgAt,
  type RunEvaluation,
  randomExpectation,
  rankLikeTrecEval,
  recallAt,
  reciprocalRankAt,
  type ScoredDoc,
} from "./metrics.js";
export { EVAL_MODES, type ModeRequest, type SearchMode } from "./modes.js";
export {
  type EvalReport,
  type ModeResult,
  renderChart,
  renderMarkdownReport,
  renderMarkdownTable,
  writeReport,
} from "./report.js";

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
export { type Bm25Index, type Bm25Settings, buildBm25Index, FASTEMBED_BM25 } from "./bm25-probe.js";
export { type BarChartOptions, type BarSeries, renderBarChartSvg } from "./chart-svg.js";
export { type EvalArgs, parseEvalArgs, UsageError } from "./cli-args.js";
export { describeCollection } from "./collection-client.js";
export { type EvalCommandDeps, type EvalCommandResult, runEvalCommand } from "./eval-command.js";
export { ApiError } from "./http-json.js";
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
export { beirIngestRequest, createJob, getJob, JobStatus, waitForJob } from "./producer-client.js";
export { deletePrefixedKeys } from "./redis-cleanup.js";
export {
  type EvalReport,
  type ModeResult,
  renderChart,
  renderMarkdownReport,
  renderMarkdownTable,
  writeReport,
} from "./report.js";
export { type EvalProgress, EvalRunError, type RunEvalOptions, runEval } from "./run-eval.js";
export { type SearchRequest, search } from "./search-client.js";

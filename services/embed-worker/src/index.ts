export { createEmbedWorker, type EmbedWorkerOptions } from "./embed-worker.js";
export { createEncoderWatch, type EncoderWatchOptions } from "./encoder-watch.js";
export {
  type BatchAttempt,
  type BatchDeps,
  type BatchEncoder,
  EncoderFailure,
  embedRows,
  processBatch,
  type WorkerModels,
} from "./process-batch.js";
export { type ReadinessDeps, readinessChecks } from "./readiness.js";
export {
  type BackoffOptions,
  backoffDelay,
  type RetryHooks,
  retryWithBackoff,
} from "./retry-with-backoff.js";

export {
  type BatchAttempt,
  type BatchDeps,
  type BatchEncoder,
  embedRows,
  processBatch,
} from "./process-batch.js";
export {
  type BackoffOptions,
  backoffDelay,
  type RetryHooks,
  retryWithBackoff,
} from "./retry-with-backoff.js";

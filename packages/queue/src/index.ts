export {
  BatchJob,
  BatchResult,
  BatchRow,
  countRows,
  RowVectors,
  SparseVector,
} from "./batch-job.js";
export {
  closeQueueConnection,
  clusterOptions,
  createRedis,
  queueConnection,
  type RedisClient,
  redisOptions,
} from "./connection.js";
export { EMBED_JOB, FinalizeJob, INGEST_JOB, ReadJob } from "./ingest-jobs.js";
export {
  Chunking,
  CsvColumnType,
  CsvOptions,
  FileSource,
  HfSource,
  IngestRequest,
  IngestSource,
  InlineSource,
  MAX_ROW_NESTING,
  ReadRequest,
  ReadSource,
  SourceEncoding,
  SourceFormat,
  SPLIT_PATTERN,
  UploadSource,
  UrlSource,
  VectorFields,
  VectorSetSource,
} from "./ingest-request.js";
export {
  batchJobId,
  finalizeJobId,
  type IngestChild,
  ingestChildOf,
  parseBatchJobId,
  parseReadJobId,
  readJobId,
} from "./job-ids.js";
export {
  type BatchJobOptionsInput,
  batchJobOptions,
  finalizeJobOptions,
  readJobOptions,
  WORKER_RETRY_DELAY_MS,
} from "./job-options.js";
export { ingestionIndexKey, ingestionKeys } from "./progress/ingestion-keys.js";
export {
  createIngestionProgress,
  finishIngestion,
  requestCancel,
  type SettledBatches,
  settleBatches,
} from "./progress/ingestion-lifecycle.js";
export { IngestionState, isTerminal, TERMINAL_STATES } from "./progress/ingestion-state.js";
export {
  Collision,
  type IngestionProgress,
  parseProgress,
  ReadCheckpoint,
  ReadCounts,
  ReadPosition,
  readBatchFailures,
  readProgress,
  SkippedRow,
} from "./progress/progress-document.js";
export {
  EMPTY_READ_COUNTS,
  markReadDone,
  type ReadUpdate,
  recordCheckpoint,
  recordReadSource,
  startRead,
  writeReadProgress,
} from "./progress/reading-progress.js";
export {
  type BatchPoint,
  type BatchRef,
  doneBatchIndices,
  isBatchDone,
  recordBatchDone,
  recordBatchFailed,
  recordBatchPoints,
} from "./progress/record-batch.js";
export { QUEUE, type QueueName } from "./queue-names.js";
export { parseRedisUrl, type RedisNode, type RedisTopology } from "./redis-topology.js";
export { waitForReplicas } from "./replication.js";
export { isVanishedJob } from "./vanished-job.js";

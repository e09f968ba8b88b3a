export {
  BatchJob,
  BatchResult,
  BatchRow,
  batchJobId,
  countRows,
  InferenceMode,
  ModelSpec,
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
export {
  EMBED_JOB,
  FinalizeJob,
  finalizeJobId,
  INGEST_JOB,
  parseBatchJobId,
  parseReadJobId,
  ReadJob,
  readJobId,
} from "./ingest-jobs.js";
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
  type BatchJobOptionsInput,
  batchJobOptions,
  finalizeJobOptions,
  readJobOptions,
  WORKER_RETRY_DELAY_MS,
} from "./job-options.js";
export {
  type BatchPoint,
  type BatchRef,
  ingestionIndexKey,
  ingestionKeys,
  PROGRESS_FIELD,
  recordBatchDone,
  recordBatchFailed,
  recordBatchPoints,
} from "./progress.js";
export { QUEUE, type QueueName } from "./queue-names.js";
export { parseRedisUrl, type RedisNode, type RedisTopology } from "./redis-topology.js";
export { waitForReplicas } from "./replication.js";
export { isVanishedJob } from "./vanished-job.js";

export { BatchJob, BatchResult, BatchRow, batchJobId, ModelSpec } from "./batch-job.js";
export { QUEUE, type QueueName } from "./queue-names.js";

/** Queue names, shared by the producer (adds jobs) and the workers (process them). */
export const QUEUE = {
  /** One job per ingestion: reads the source and adds batch jobs as its children (producer side). */
  ingest: "ingest",
  /** One job per batch of rows: embed and upsert (embed-worker side). */
  embed: "embed",
} as const;
export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

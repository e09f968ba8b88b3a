import { CollectionName } from "@hybrid/config";
import { CollectionModels } from "@hybrid/store";
import { z } from "zod";
import { ReadRequest } from "./ingest-request.js";

/** Payload of the `read` job (ingest queue): streams the source and adds batch jobs under the finalize job. */
export const ReadJob = z.object({
  v: z.literal(1),
  ingestionId: z.string().min(1),
  request: ReadRequest,
  models: CollectionModels,
  /** Rows per batch job, resolved from the request or the producer's default. */
  batchSize: z.number().int().min(1).max(4096),
});
export type ReadJob = z.infer<typeof ReadJob>;

/** Payload of the `finalize` job (ingest queue): the flow's parent, processed once every child is done. */
export const FinalizeJob = z.object({
  v: z.literal(1),
  ingestionId: z.string().min(1),
  collection: CollectionName,
});
export type FinalizeJob = z.infer<typeof FinalizeJob>;

/** Job names on the ingest queue. */
export const INGEST_JOB = { read: "read", finalize: "finalize" } as const;
/** Job name on the embed queue. */
export const EMBED_JOB = "batch";

import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { ApiError, type HttpJsonOptions, requestJson } from "./http-json.js";

const CreatedJob = z.looseObject({ id: z.string().min(1) });

/** The part of `GET /v1/jobs/:id` the evaluation reads; other fields are kept but not required. */
export const JobStatus = z.looseObject({
  id: z.string(),
  state: z.string(),
  ended: z.boolean(),
  rows: z.looseObject({ read: z.number(), skipped: z.number() }).optional(),
  skipped: z.looseObject({ byReason: z.record(z.string(), z.number()) }).optional(),
  batches: z.looseObject({ done: z.number(), failed: z.number() }).optional(),
  points: z.looseObject({ upserted: z.number() }).optional(),
  error: z.string().optional(),
});
export type JobStatus = z.infer<typeof JobStatus>;

/** Body of `POST /v1/jobs` for a BEIR corpus file the producer can read (one of its DATA_DIRS). */
export function beirIngestRequest(collection: string, corpusPath: string, batchSize?: number) {
  return {
    collection,
    source: { type: "file", path: corpusPath, format: "jsonl" },
    text: "{title} {text}",
    id: "_id",
    payload: { include: ["_id"] },
    ...(batchSize ? { batchSize } : {}),
  };
}

export async function createJob(
  producerUrl: string,
  body: unknown,
  http: HttpJsonOptions = {},
): Promise<string> {
  const created = await requestJson("POST", `${producerUrl}/v1/jobs`, CreatedJob, body, http);
  return created.id;
}

export async function getJob(
  producerUrl: string,
  id: string,
  http: HttpJsonOptions = {},
): Promise<JobStatus> {
  return requestJson("GET", `${producerUrl}/v1/jobs/${encodeURIComponent(id)}`, JobStatus, undefined, http);
}

export interface WaitForJobOptions {
  http?: HttpJsonOptions;
  pollMs?: number;
  /** Give up after this long (default 1 h). */
  timeoutMs?: number;
  onStatus?: (status: JobStatus) => void;
}

/** Polls the job until it reaches a final state; resolves with that status (a failed job is not an exception here). */
export async function waitForJob(
  producerUrl: string,
  id: string,
  options: WaitForJobOptions = {},
): Promise<JobStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  for (;;) {
    const status = await getJob(producerUrl, id, options.http);
    options.onStatus?.(status);
    if (status.ended) return status;
    if (Date.now() > deadline)
      throw new ApiError(`job ${id} still ${status.state} after the time allowed`, 0);
    await sleep(options.pollMs ?? 500);
  }
}

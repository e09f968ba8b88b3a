import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { repoRoot } from "./repo-root.js";

export const DEMO_FILE = join(repoRoot, "data/demo/places.jsonl");
export const DEMO_COLLECTION = "demo";

/** One record of `data/demo/places.jsonl` (written for this project: fictional places in real cities). */
export const DemoPlace = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  kind: z.string().min(1),
  city: z.string().min(1),
  country: z.string().min(1),
  founded: z.number().int(),
  rating: z.number().min(0).max(5),
  description: z.string().min(1),
});
export type DemoPlace = z.infer<typeof DemoPlace>;

/** The demo searches: each needs meaning (dense), words (sparse) or a city filter. */
export const DEMO_QUERIES: Array<{ query: string; city?: string }> = [
  { query: "quiet place to read with good coffee" },
  { query: "somewhere to see old ships and learn about the sea" },
  { query: "cheap street food late at night" },
  { query: "rooftop bar with a view of the sunset" },
  { query: "vegetarian restaurant", city: "Berlin" },
  { query: "where can kids play on a rainy day", city: "Lisbon" },
];

/** Reads and validates the demo dataset; a bad line is an error naming the line. */
export function readDemoPlaces(file = DEMO_FILE): DemoPlace[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      const parsed = DemoPlace.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new Error(`${file}:${number}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      return parsed.data;
    });
}

const JobCreated = z.looseObject({ id: z.string().min(1) });
const JobStatus = z.looseObject({ state: z.string(), ended: z.boolean() });
const SearchHits = z.looseObject({
  hits: z.array(
    z.looseObject({ id: z.union([z.string(), z.number()]), score: z.number(), payload: z.unknown() }),
  ),
});

export interface DemoOptions {
  producerUrl: string;
  queryUrl: string;
  collection?: string;
  places?: DemoPlace[];
  /** Bearer token for the producer / query API when they require one. */
  apiKey?: string;
  log?: (line: string) => void;
  /** How long to wait for the ingestion job (default 5 min). */
  jobTimeoutMs?: number;
}

export interface DemoResult {
  jobId: string;
  job: Record<string, unknown>;
  searches: Array<{
    query: string;
    city?: string;
    hits: Array<{ name: string; city: string; score: number }>;
  }>;
}

/** Ingests the demo places through the producer API (inline rows), waits for the job, then runs `DEMO_QUERIES`. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const collection = options.collection ?? DEMO_COLLECTION;
  const places = options.places ?? readDemoPlaces();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  log(`ingesting ${places.length} places into collection "${collection}" via ${options.producerUrl}`);
  const created = await requestJson(`${options.producerUrl}/v1/jobs`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      collection,
      source: { type: "rows", rows: places },
      text: "{name}. {description}",
      id: "id",
    }),
  });
  const jobId = JobCreated.parse(created).id;
  const job = await waitForJob(`${options.producerUrl}/v1/jobs/${encodeURIComponent(jobId)}`, headers, {
    timeoutMs: options.jobTimeoutMs ?? 300_000,
    log,
  });
  log(`job ${jobId} ${job.state}: ${summarize(job)}`);
  if (job.state !== "completed")
    throw new Error(`ingestion job ${jobId} ended ${job.state}: ${JSON.stringify(job)}`);

  const searches: DemoResult["searches"] = [];
  for (const { query, city } of DEMO_QUERIES) {
    const body: Record<string, unknown> = { query, collection, limit: 3, mode: "hybrid" };
    if (city) body.filter = { must: [{ key: "city", match: { value: city } }] };
    const answer = SearchHits.parse(
      await requestJson(`${options.queryUrl}/v1/search`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      }),
    );
    const hits = answer.hits.map((hit) => {
      const payload = z.looseObject({ name: z.string(), city: z.string() }).safeParse(hit.payload);
      return {
        name: payload.success ? payload.data.name : String(hit.id),
        city: payload.success ? payload.data.city : "?",
        score: hit.score,
      };
    });
    searches.push({ query, city, hits });
    log(`\n> ${query}${city ? `  (city = ${city})` : ""}`);
    for (const [i, hit] of hits.entries())
      log(`  ${i + 1}. ${hit.name} (${hit.city})  score ${hit.score.toFixed(4)}`);
  }
  return { jobId, job, searches };
}

async function waitForJob(
  url: string,
  headers: Record<string, string>,
  { timeoutMs, log }: { timeoutMs: number; log: (line: string) => void },
): Promise<Record<string, unknown> & { state: string; ended: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let lastState = "";
  while (Date.now() < deadline) {
    const status = JobStatus.parse(await requestJson(url, { headers }));
    if (status.state !== lastState) log(`job state: ${status.state}`);
    lastState = status.state;
    if (status.ended) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`ingestion job not finished after ${timeoutMs} ms (last state ${lastState}): ${url}`);
}

const JobCounts = z.looseObject({
  rows: z.looseObject({ read: z.number(), skipped: z.number() }).optional(),
  points: z.looseObject({ upserted: z.number() }).optional(),
});

function summarize(job: Record<string, unknown>): string {
  const counts = JobCounts.safeParse(job);
  if (!counts.success) return "";
  const { rows, points } = counts.data;
  return [
    rows ? `${rows.read} rows read, ${rows.skipped} skipped` : "",
    points ? `${points.upserted} points upserted` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

async function requestJson(url: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${init.method ?? "GET"} ${url} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as unknown;
}

import { z } from "@hono/zod-openapi";
import { CollectionName, decimalInt, onceOnly } from "@hybrid/config";
import { DEFAULT_PREFETCH_LIMIT } from "@hybrid/store";
import { Filter } from "./filter-schema.js";

/** Bounds a deployment sets (`MAX_LIMIT`); the rest are fixed. */
export interface SearchLimits {
  /** Largest `limit` a search may ask for. */
  maxLimit: number;
}

/**
 * Largest query, in UTF-8 bytes. Long queries (a pasted abstract) are fine: the dense model truncates to its own
 * token limit; the cap only bounds the work and the cache.
 */
export const MAX_QUERY_BYTES = 64 * 1024;
export const MAX_OFFSET = 10_000;
export const MAX_PREFETCH_LIMIT = 1000;
export const MAX_BATCH = 16;

export const SearchMode = z.enum(["hybrid", "dense", "sparse"]).openapi("SearchMode", {
  description: "hybrid: dense + sparse fused by Qdrant; dense or sparse: one vector only",
});
export type SearchMode = z.infer<typeof SearchMode>;

export const Fusion = z
  .union([
    z.enum(["rrf", "dbsf"]),
    z.strictObject({
      type: z.literal("rrf"),
      k: z.number().int().min(1).max(10_000).optional().describe("RRF k (Qdrant's default is 2)"),
      weights: z
        .strictObject({ dense: z.number().min(0).max(100), sparse: z.number().min(0).max(100) })
        .optional()
        .describe("weight of each prefetch list"),
    }),
    z.strictObject({ type: z.literal("dbsf") }),
  ])
  .openapi("Fusion", {
    description:
      'How hybrid lists are fused: "rrf" (default), "dbsf", or {type:"rrf", k, weights:{dense, sparse}}',
  });
export type Fusion = z.infer<typeof Fusion>;

/** The query text: trimmed, not empty, at most MAX_QUERY_BYTES. */
const QueryText = z
  .string({ error: onceOnly })
  .trim()
  .min(1, "must not be empty")
  .refine(
    (text) => Buffer.byteLength(text) <= MAX_QUERY_BYTES,
    `at most ${MAX_QUERY_BYTES} bytes (64 KiB) of UTF-8`,
  )
  .openapi({ example: "AI startups helping doctors" });

/** The request schemas, with `limit` capped by the deployment's `maxLimit`. */
export function createSearchSchemas({ maxLimit }: SearchLimits) {
  const SearchRequest = z
    .strictObject({
      query: QueryText,
      collection: CollectionName.optional().describe("defaults to the service's DEFAULT_COLLECTION"),
      limit: z.number().int().min(1).max(maxLimit).default(10),
      offset: z.number().int().min(0).max(MAX_OFFSET).default(0),
      mode: SearchMode.default("hybrid"),
      fusion: Fusion.default("rrf"),
      prefetchLimit: z
        .number()
        .int()
        .min(1)
        .max(MAX_PREFETCH_LIMIT)
        .optional()
        .describe(
          `candidates per vector before fusion; default max(${DEFAULT_PREFETCH_LIMIT}, limit + offset)`,
        ),
      filter: Filter.optional(),
      scoreThreshold: z
        .number()
        .optional()
        .describe("drop hits scoring below this (fused score in hybrid mode)"),
      withPayload: z
        .union([z.boolean(), z.array(z.string().min(1)).max(100)])
        .default(true)
        .describe("true, false, or the payload keys to return"),
      explain: z
        .boolean()
        .default(false)
        .describe(
          "hybrid mode: also answer the dense and sparse prefetch lists and, per hit, its rank and score in each and how fusion combined them",
        ),
    })
    .refine((request) => !request.explain || request.mode === "hybrid", {
      path: ["explain"],
      message: 'explains how hybrid fusion ranks hits: only with mode "hybrid"',
    })
    .openapi("SearchRequest");

  const BatchRequest = z
    .strictObject({ searches: z.array(SearchRequest).min(1).max(MAX_BATCH) })
    .openapi("BatchSearchRequest");

  const SimpleQuery = z.object({
    q: QueryText,
    limit: decimalInt(1, maxLimit).default(5),
    collection: CollectionName.optional(),
    mode: SearchMode.default("hybrid"),
  });

  return { SearchRequest, BatchRequest, SimpleQuery };
}

export type SearchSchemas = ReturnType<typeof createSearchSchemas>;
export type SearchRequest = z.output<SearchSchemas["SearchRequest"]>;
export type SearchRequestInput = z.input<SearchSchemas["SearchRequest"]>;

export const PointId = z.union([z.number().int(), z.string()]).openapi("PointId");

const ListContribution = z
  .object({
    rank: z.number().int().describe("1-based position in the prefetch list"),
    score: z.number().describe("the list's own score: cosine similarity (dense) or BM25 (sparse)"),
    contribution: z
      .number()
      .describe(
        "what the list added to the fused score: the RRF term 1 / (rank / weight + k - 1), or DBSF's normalised score",
      ),
  })
  .nullable()
  .openapi("ListContribution", { description: "null: not retrieved by this prefetch" });

export const HitExplanation = z
  .object({
    dense: ListContribution,
    sparse: ListContribution,
    fusedScore: z.number().describe("the contributions summed in f32, as Qdrant sums them"),
  })
  .openapi("HitExplanation");

export const SearchHit = z
  .object({
    id: PointId,
    score: z.number(),
    payload: z.record(z.string(), z.unknown()).optional(),
    explain: HitExplanation.optional().describe("with `explain: true`"),
  })
  .openapi("SearchHit");
export type SearchHit = z.infer<typeof SearchHit>;

export const Timings = z
  .object({
    embedMs: z.number().describe("query embedding (≈0 on a cache hit)"),
    searchMs: z.number().describe("the Qdrant query call"),
    totalMs: z.number(),
  })
  .openapi("Timings");
export type Timings = z.infer<typeof Timings>;

const ListPoint = z.object({
  id: PointId,
  score: z.number(),
  payload: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("on the first offset + limit points only, for showing the lists side by side"),
});

const Normalization = z
  .object({ mean: z.number(), sd: z.number(), low: z.number(), high: z.number() })
  .nullable()
  .describe("scores mapped from [low, high] = mean ± 3 sd onto [0, 1]; null: every point scores 0.5");

export const Explanation = z
  .object({
    fusion: z.union([
      z.object({
        method: z.literal("rrf"),
        k: z.number(),
        weights: z.object({ dense: z.number(), sparse: z.number() }),
      }),
      z.object({ method: z.literal("dbsf") }),
    ]),
    prefetchLimit: z.number().int(),
    lists: z
      .object({ dense: z.array(ListPoint), sparse: z.array(ListPoint) })
      .describe(
        "the prefetch lists Qdrant fused, best first, as separate queries with the same filter and depth",
      ),
    normalization: z.object({ dense: Normalization, sparse: Normalization }).optional().describe("DBSF only"),
  })
  .openapi("Explanation");
export type Explanation = z.infer<typeof Explanation>;

export const SearchResponse = z
  .object({
    collection: z.string(),
    mode: SearchMode,
    hits: z.array(SearchHit),
    cached: z.boolean().describe("the query embedding came from the cache"),
    timings: Timings,
    explain: Explanation.optional().describe("with `explain: true`"),
  })
  .openapi("SearchResponse");
export type SearchResponse = z.infer<typeof SearchResponse>;

export const BatchResponse = z
  .object({ results: z.array(SearchResponse), timings: z.object({ totalMs: z.number() }) })
  .openapi("BatchSearchResponse");
export type BatchResponse = z.infer<typeof BatchResponse>;

export const SimpleResponse = z
  .object({ result: z.array(z.record(z.string(), z.unknown())) })
  .openapi("SimpleSearchResponse", { description: "payloads of the best hits, best first" });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "BAD_REQUEST" }),
      message: z.string().openapi({ example: "body.limit: Too big: expected number to be <=100" }),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

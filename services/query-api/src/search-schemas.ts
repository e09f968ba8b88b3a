import { z } from "@hono/zod-openapi";
import { CollectionName, decimalInt, onceOnly } from "@hybrid/config";
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
/** Prefetch depth per vector when a hybrid search names none (at least `limit + offset`). */
export const DEFAULT_PREFETCH_LIMIT = 50;

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

export const SearchHit = z
  .object({
    id: PointId,
    score: z.number(),
    payload: z.record(z.string(), z.unknown()).optional(),
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

export const SearchResponse = z
  .object({
    collection: z.string(),
    mode: SearchMode,
    hits: z.array(SearchHit),
    cached: z.boolean().describe("the query embedding came from the cache"),
    timings: Timings,
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

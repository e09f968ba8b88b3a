import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import { type AppEnv, AppError } from "@hybrid/service-kit";
import {
  BatchResponse,
  ErrorBody,
  type SearchRequest,
  SearchResponse,
  type SearchSchemas,
  SimpleResponse,
} from "./search-schemas.js";
import type { Searcher } from "./searcher.js";
import { simpleFilter } from "./simple-filter.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const errors = {
  400: json(ErrorBody, "invalid request: the message names the offending field"),
  401: json(ErrorBody, "missing or unknown API key (only when API keys are configured)"),
  404: json(ErrorBody, "unknown collection"),
  429: json(ErrorBody, "rate limit exceeded"),
  502: json(ErrorBody, "Qdrant failed"),
  503: json(ErrorBody, "models still loading, or Qdrant unreachable"),
  504: json(ErrorBody, "Qdrant timed out"),
};

/** `POST /v1/search`, `POST /v1/search/batch` and the tutorial-shaped `GET /api/search`. */
export function mountSearchRoutes(
  api: OpenAPIHono<AppEnv>,
  schemas: SearchSchemas,
  searcher: Searcher,
): void {
  api.openapi(
    createRoute({
      method: "post",
      path: "/v1/search",
      tags: ["search"],
      summary: "Search one collection (hybrid, dense or sparse)",
      request: {
        body: { content: { "application/json": { schema: schemas.SearchRequest } }, required: true },
      },
      responses: { 200: json(SearchResponse, "hits, best first (score desc, then id)"), ...errors },
    }),
    async (c) => c.json(await searcher.search(c.req.valid("json")), 200),
  );

  api.openapi(
    createRoute({
      method: "post",
      path: "/v1/search/batch",
      tags: ["search"],
      summary: "Several searches in one call (answered in request order; one failure fails the batch)",
      request: {
        body: { content: { "application/json": { schema: schemas.BatchRequest } }, required: true },
      },
      responses: { 200: json(BatchResponse, "one result per search, in request order"), ...errors },
    }),
    async (c) => c.json(await searcher.searchBatch(c.req.valid("json").searches), 200),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/api/search",
      tags: ["search"],
      summary: "Tutorial-shaped search: payloads of the best hits",
      description:
        "Any query parameter other than q, limit, collection and mode is an exact-match payload filter, " +
        "e.g. `?q=AI&city=Berlin` (repeat a parameter to match any of several values).",
      request: { query: schemas.SimpleQuery },
      responses: { 200: json(SimpleResponse, "payloads, best first"), ...errors },
    }),
    async (c) => {
      const { q, limit, collection, mode } = c.req.valid("query");
      const filtered = simpleFilter(c.req.queries());
      if ("badKey" in filtered) {
        throw new AppError("BAD_REQUEST", `query.${filtered.badKey}: not a payload key usable as a filter`, {
          details: { field: `query.${filtered.badKey}` },
        });
      }
      const request: SearchRequest = {
        query: q,
        limit,
        offset: 0,
        mode,
        fusion: "rrf",
        withPayload: true,
        explain: false,
        ...(collection ? { collection } : {}),
        ...(filtered.filter ? { filter: filtered.filter } : {}),
      };
      const { hits } = await searcher.search(request);
      return c.json({ result: hits.map((h) => h.payload ?? {}) }, 200);
    },
  );
}

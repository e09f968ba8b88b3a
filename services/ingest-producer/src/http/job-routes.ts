import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { decimalInt } from "@hybrid/config";
import { IngestRequest } from "@hybrid/queue";
import { type AppEnv, AppError } from "@hybrid/service-kit";
import type { IngestDeps } from "../ingest/ingest-deps.js";
import { IngestionView } from "../ingest/ingestion-view.js";
import {
  cancelIngestion,
  getIngestion,
  listFailures,
  listIngestions,
  submitIngestion,
} from "../ingest/ingestions.js";
import { PREVIEW_ROWS, Preview, previewRows } from "../ingest/preview-rows.js";

const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

const Submitted = IngestionView.extend({ statusUrl: z.string() }).meta({ id: "SubmittedIngestion" });
const IdParam = z.object({
  id: z
    .string()
    .regex(/^[\w-]{1,128}$/, "an ingestion id: 1-128 letters, digits, _ or - (such as ing-mx7vvsty-f47b1b53)")
    .meta({ param: { name: "id", in: "path" } }),
});
const BatchFailure = z
  .object({
    batchIndex: z.number(),
    jobId: z.string(),
    error: z.string(),
    lines: z.object({ first: z.number(), last: z.number() }).optional(),
    attemptsMade: z.number().optional(),
    failedAt: z.string().optional(),
  })
  .meta({ id: "BatchFailure" });

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
const errors = {
  400: json(ErrorBody, "Invalid request: `error.details.issues` lists the field paths"),
  401: json(ErrorBody, "Missing or wrong API key"),
  404: json(ErrorBody, "Unknown ingestion or file"),
} as const;
/** Either scheme: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
const secured: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

const submitRoute = createRoute({
  method: "post",
  path: "/v1/jobs",
  summary: "Submit an ingestion",
  description:
    "Validates the request, creates the collection on first use and queues the ingestion; poll statusUrl.",
  security: secured,
  request: { body: { content: { "application/json": { schema: IngestRequest } }, required: true } },
  responses: {
    202: json(Submitted, "Queued"),
    ...errors,
    409: json(ErrorBody, "The collection exists with other models"),
    413: json(ErrorBody, "Body too large"),
    503: json(ErrorBody, "Qdrant or Redis unavailable"),
  },
});

const previewRoute = createRoute({
  method: "post",
  path: "/v1/jobs/preview",
  summary: "Preview an ingestion: the first rows of its source mapped to text, without creating a job",
  description: `Reads the first ${PREVIEW_ROWS} rows of the source with the ingestion's own readers and mapping: each row's id and text to embed (a chunked row shows its chunks), or why it would be skipped. The collection is not created or checked.`,
  security: secured,
  request: { body: { content: { "application/json": { schema: IngestRequest } }, required: true } },
  responses: {
    200: json(Preview, "The first rows, and why reading stopped early if it did"),
    400: errors[400],
    401: errors[401],
    404: errors[404],
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/jobs",
  summary: "List ingestions, newest first",
  security: secured,
  request: {
    query: z.strictObject({
      limit: decimalInt(1, 500).default(50),
      state: IngestionView.shape.state.optional().describe("only ingestions in this state"),
    }),
  },
  responses: {
    200: json(z.object({ jobs: z.array(IngestionView) }), "Ingestions"),
    400: errors[400],
    401: errors[401],
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}",
  summary: "State and progress of an ingestion",
  security: secured,
  request: { params: IdParam },
  responses: { 200: json(IngestionView, "The ingestion"), 401: errors[401], 404: errors[404] },
});

const cancelRoute = createRoute({
  method: "delete",
  path: "/v1/jobs/{id}",
  summary: "Cancel an ingestion",
  description:
    "Stops reading and removes batches not started; running batches finish. The state becomes `cancelled`.",
  security: secured,
  request: { params: IdParam },
  responses: {
    202: json(IngestionView, "Cancelling"),
    401: errors[401],
    404: errors[404],
    409: json(ErrorBody, "Already finished"),
  },
});

const failuresRoute = createRoute({
  method: "get",
  path: "/v1/jobs/{id}/failures",
  summary: "Failed batches of an ingestion (dead-letter view)",
  security: secured,
  request: { params: IdParam },
  responses: {
    200: json(z.object({ failures: z.array(BatchFailure) }), "Failed batches"),
    401: errors[401],
    404: errors[404],
  },
});

/** `/v1/jobs` routes, validated by the same zod schemas the OpenAPI document is generated from. */
export function createJobRoutes(deps: IngestDeps): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const where = result.target === "json" ? "body" : result.target;
      const issues = result.error.issues.flatMap((issue) => {
        const path = [where, ...issue.path.map(String)];
        // One issue per unknown field, at that field, so a typo such as `paylod` is named where it is.
        if (issue.code === "unrecognized_keys")
          return issue.keys.map((key) => ({ path: [...path, key].join("."), message: "unknown field" }));
        return [{ path: path.join("."), message: issue.message }];
      });
      throw new AppError(
        "BAD_REQUEST",
        `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
        {
          details: { issues },
        },
      );
    },
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  api.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
  });

  api.openapi(submitRoute, async (c) => {
    const view = await submitIngestion(deps, c.req.valid("json"));
    const statusUrl = `/v1/jobs/${view.id}`;
    c.header("location", statusUrl);
    return c.json({ ...view, statusUrl }, 202);
  });
  api.openapi(previewRoute, async (c) => c.json(await previewRows(deps.sources, c.req.valid("json")), 200));
  api.openapi(listRoute, async (c) =>
    c.json({ jobs: await listIngestions(deps, c.req.valid("query")) }, 200),
  );
  api.openapi(getRoute, async (c) => c.json(await getIngestion(deps, c.req.valid("param").id), 200));
  api.openapi(cancelRoute, async (c) => c.json(await cancelIngestion(deps, c.req.valid("param").id), 202));
  api.openapi(failuresRoute, async (c) =>
    c.json({ failures: await listFailures(deps, c.req.valid("param").id) }, 200),
  );
  return api;
}

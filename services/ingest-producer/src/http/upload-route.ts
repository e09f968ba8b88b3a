import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { CsvColumnType, CsvOptions, IngestRequest, SourceEncoding, SourceFormat } from "@hybrid/queue";
import { type AppEnv, AppError } from "@hybrid/service-kit";
import type { IngestDeps } from "../ingest/ingest-deps.js";
import { IngestionView } from "../ingest/ingestion-view.js";
import { submitIngestion } from "../ingest/ingestions.js";
import { createRowMapper } from "../rows/map-row.js";
import { removeUpload, spoolUpload, uploadTooLarge } from "../sources/upload-spool.js";

/** The job options of an upload, as query parameters (the body is the file itself). */
export const UploadQuery = z
  .object({
    collection: IngestRequest.shape.collection,
    /** Repeat for several fields (joined with a newline); one value may be a `{field}` template. */
    text: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(64)]),
    id: z.string().min(1).optional(),
    batchSize: z.coerce.number().int().min(1).max(4096).optional(),
    /** Comma-separated top-level fields to keep in the payload. */
    include: z.string().optional(),
    /** Comma-separated top-level fields to leave out of the payload. */
    exclude: z.string().optional(),
    chunkTokens: z.coerce.number().int().min(8).max(8192).optional(),
    chunkOverlap: z.coerce.number().int().min(0).optional(),
    format: SourceFormat.default("auto"),
    /** Field of each row holding its pre-computed dense vector (see `vectors` of `POST /v1/jobs`). */
    vectorField: z.string().min(1).optional(),
    /** Field holding its sparse vector `{indices, values}` (default: computed from the text). */
    sparseVectorField: z.string().min(1).optional(),
    /** The model that made the dense vectors; a collection of another model is refused. */
    vectorModel: z.string().min(1).optional(),
    /** The file's text encoding when it is not UTF-8. */
    encoding: SourceEncoding.optional(),
    /** CSV/TSV cell separator (default `,` or a tab). */
    delimiter: CsvOptions.shape.delimiter,
    /** CSV/TSV column types, comma-separated `column:type` (`year:integer,score:number`). */
    columnTypes: z.string().optional(),
    /** The file's name, shown in job views; its extension names the format (`.jsonl`, `.csv`, `.tsv`). Gzip is recognised from the bytes. */
    name: z.string().min(1).max(255).default("upload"),
  })
  .meta({ id: "UploadQuery" });
export type UploadQuery = z.infer<typeof UploadQuery>;

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const uploadRoute = createRoute({
  method: "post",
  path: "/v1/jobs/upload",
  summary: "Upload a file and ingest it",
  description:
    "The body is the file (JSON Lines, a JSON array, CSV or TSV, gzipped or not), streamed to a spool file under the producer's " +
    "data directory (at most UPLOAD_MAX_BYTES) and read from there, so a producer crash mid-read reads it again. " +
    "Job options are query parameters. The spool file is removed when the ingestion ends.",
  security: [{ bearer: [] }, { apiKey: [] }] as Array<Record<string, string[]>>,
  request: {
    query: UploadQuery,
    body: { content: { "application/octet-stream": { schema: z.string().meta({ format: "binary" }) } } },
  },
  responses: {
    202: json(IngestionView.extend({ statusUrl: z.string() }), "Uploaded and queued"),
    400: json(ErrorBody, "Invalid options or an empty body"),
    401: json(ErrorBody, "Missing or wrong API key"),
    409: json(ErrorBody, "The collection exists with other models"),
    413: json(ErrorBody, "The file is larger than UPLOAD_MAX_BYTES"),
  },
});

/** Turns the query into the request's options (everything but the source); BAD_REQUEST names the parameter. */
function uploadOptions(query: UploadQuery) {
  const list = (value: string | undefined) =>
    value
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const chunking =
    query.chunkTokens !== undefined || query.chunkOverlap !== undefined
      ? { maxTokens: query.chunkTokens, overlap: query.chunkOverlap }
      : undefined;
  const parsed = IngestRequest.omit({ source: true }).safeParse({
    collection: query.collection,
    text: query.text,
    ...(query.id ? { id: query.id } : {}),
    ...(query.batchSize ? { batchSize: query.batchSize } : {}),
    ...(query.include || query.exclude
      ? { payload: { include: list(query.include), exclude: list(query.exclude) } }
      : {}),
    ...(chunking ? { chunking } : {}),
    ...(query.vectorField || query.sparseVectorField || query.vectorModel
      ? {
          vectors: {
            dense: query.vectorField,
            ...(query.sparseVectorField ? { sparse: query.sparseVectorField } : {}),
            ...(query.vectorModel ? { model: query.vectorModel } : {}),
          },
        }
      : {}),
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: ["query", ...issue.path.map(String)].join("."),
      message: issue.message,
    }));
    throw new AppError(
      "BAD_REQUEST",
      `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      { details: { issues } },
    );
  }
  return parsed.data;
}

/** `csv` of the upload source from `delimiter` and `columnTypes`; BAD_REQUEST names a malformed type entry. */
function csvOptions(
  query: UploadQuery,
): { csv: { delimiter?: string; types?: Record<string, CsvColumnType> } } | undefined {
  if (!query.delimiter && !query.columnTypes) return undefined;
  const types: Record<string, CsvColumnType> = {};
  for (const entry of (query.columnTypes ?? "").split(",").filter((e) => e.trim())) {
    const at = entry.lastIndexOf(":");
    const type = CsvColumnType.safeParse(entry.slice(at + 1).trim());
    if (at <= 0 || !type.success) {
      throw new AppError(
        "BAD_REQUEST",
        `query.columnTypes: "${entry}" is not column:type with type one of ${CsvColumnType.options.join(", ")}`,
        { details: { issues: [{ path: "query.columnTypes", message: "expected column:type" }] } },
      );
    }
    types[entry.slice(0, at).trim()] = type.data;
  }
  return {
    csv: {
      ...(query.delimiter ? { delimiter: query.delimiter } : {}),
      ...(Object.keys(types).length ? { types } : {}),
    },
  };
}

/**
 * `POST /v1/jobs/upload`: options are checked before a byte of the body is read; the body is spooled (size-capped)
 * and submitted as an `upload` source. A spool whose submission fails is removed at once.
 */
export function mountUploadRoute(api: OpenAPIHono<AppEnv>, deps: IngestDeps): void {
  const { uploadDir, uploadMaxBytes } = deps.sources;
  api.openapi(uploadRoute, async (c) => {
    const query = c.req.valid("query");
    const options = uploadOptions(query);
    const csv = csvOptions(query);
    createRowMapper(options, "check");
    const announced = Number(c.req.header("content-length") ?? Number.NaN);
    if (announced > uploadMaxBytes) throw uploadTooLarge(uploadMaxBytes);
    const body = c.req.raw.body;
    if (!body) throw new AppError("BAD_REQUEST", "the upload is empty: send the file as the request body");
    const spooled = await spoolUpload(Readable.fromWeb(body as WebReadableStream<Uint8Array>), {
      dir: uploadDir,
      maxBytes: uploadMaxBytes,
    });
    try {
      const view = await submitIngestion(deps, {
        ...options,
        source: {
          type: "upload",
          upload: spooled.id,
          name: path.basename(query.name) || "upload",
          sha256: spooled.sha256,
          gzip: spooled.gzip,
          format: query.format,
          ...(query.encoding ? { encoding: query.encoding } : {}),
          ...(csv ?? {}),
        },
      });
      const statusUrl = `/v1/jobs/${view.id}`;
      c.header("location", statusUrl);
      return c.json({ ...view, statusUrl }, 202);
    } catch (error) {
      await removeUpload(uploadDir, spooled.id);
      throw error;
    }
  });
}

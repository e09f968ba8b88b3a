import path from "node:path";
import type { ReadOptions } from "./parse-cli-args.js";

/** The query of `POST /v1/jobs/upload` (see `UploadQuery`) for a job body without a source and the file to send. */
export function uploadQuery(body: Record<string, unknown>, file: string, read: ReadOptions): URLSearchParams {
  const query = new URLSearchParams({
    collection: String(body.collection),
    name: path.basename(file),
    format: read.format,
  });
  if (read.encoding) query.set("encoding", read.encoding);
  if (read.delimiter) query.set("delimiter", read.delimiter);
  if (read.columnTypes) query.set("columnTypes", read.columnTypes);
  for (const text of [body.text].flat()) query.append("text", String(text));
  if (body.id) query.set("id", String(body.id));
  if (body.batchSize) query.set("batchSize", String(body.batchSize));
  const payload = body.payload as { include?: string[]; exclude?: string[] } | undefined;
  if (payload?.include) query.set("include", payload.include.join(","));
  if (payload?.exclude) query.set("exclude", payload.exclude.join(","));
  const vectors = body.vectors as { dense: string; sparse?: string; model?: string } | undefined;
  if (vectors) query.set("vectorField", vectors.dense);
  if (vectors?.sparse) query.set("sparseVectorField", vectors.sparse);
  if (vectors?.model) query.set("vectorModel", vectors.model);
  const chunking = body.chunking as { maxTokens?: number; overlap?: number } | undefined;
  if (chunking?.maxTokens !== undefined) query.set("chunkTokens", String(chunking.maxTokens));
  if (chunking?.overlap !== undefined) query.set("chunkOverlap", String(chunking.overlap));
  return query;
}

import { badRequest } from "../errors.js";
import { isJsonObject } from "../payload-path.js";
import type { Document } from "../requests/qdrant-requests.generated.js";
import { bm25DocumentVector, bm25QueryVector, type SparseVector } from "./bm25.js";
import { readBm25Config } from "./bm25-options.js";

/** The model Qdrant computes itself (matched case-insensitively, as Qdrant does). */
export const BM25_MODEL = "qdrant/bm25";

/** A dense text model the local mode serves under a Qdrant Cloud name (this project's encoder fits). */
export interface DenseInferenceModel {
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

/** What the local mode can embed beyond `qdrant/bm25`: dense models by their Qdrant Cloud name (lowercase). */
export interface InferenceModels {
  dense?: ReadonlyMap<string, DenseInferenceModel>;
}

/** Upserts and vector updates embed documents; queries embed queries (BM25 weights differ between the two). */
export type InferenceKind = "document" | "query";

/** A `{text, model, options?}` object where a vector goes. */
export interface DocumentInput {
  text: string;
  model: string;
  options: unknown;
}

/** True for Qdrant's `Document` (`text` and `model`) where a vector goes. */
export function isDocument(value: unknown): value is Document {
  return isJsonObject(value) && typeof value.text === "string" && typeof value.model === "string";
}

function unknownModel(model: string, models: InferenceModels): never {
  const dense = [...(models.dense?.keys() ?? [])];
  throw badRequest(
    `Bad request: model \`${model}\` is not available in qdrant-local: it computes ${BM25_MODEL} itself` +
      (dense.length > 0
        ? ` and serves ${dense.join(", ")}`
        : "; no dense model was provisioned (start it with --dense-model)"),
  );
}

/**
 * Embeds documents that all name one model, in order. BM25 options are read (and rejected) per document, as Qdrant
 * does; dense models take the whole list at once.
 */
export async function embedDocuments(
  docs: DocumentInput[],
  kind: InferenceKind,
  models: InferenceModels,
): Promise<Array<number[] | SparseVector>> {
  const first = docs[0];
  if (!first) return [];
  const model = first.model.toLowerCase();
  if (model === BM25_MODEL) {
    return docs.map((d) => {
      const config = readBm25Config(d.options);
      return kind === "document" ? bm25DocumentVector(d.text, config) : bm25QueryVector(d.text, config);
    });
  }
  const dense = models.dense?.get(model);
  if (!dense) unknownModel(first.model, models);
  if (kind === "document") return dense.embedDocuments(docs.map((d) => d.text));
  return Promise.all(docs.map((d) => dense.embedQuery(d.text)));
}

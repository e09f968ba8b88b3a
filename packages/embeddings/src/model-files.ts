import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppError } from "@hybrid/service-kit";
import {
  type DenseModelSpec,
  FASTEMBED_ARCHIVE_BASE_URL,
  HUGGING_FACE_BASE_URL,
  OFFLINE_MODEL,
  SPLADE_DIR_NAME,
  SPLADE_FILES,
  SPLADE_MODEL,
} from "./catalogue.js";
import { downloadModelArchive, downloadModelFiles } from "./download.js";

/** Where models come from; both default to where fastembed 2.1.0 gets them. */
export interface ModelSources {
  /** Base URL of fastembed's dense model archives (`<base>/<archive>.tar.gz`). */
  denseArchiveBaseUrl?: string;
  /** Base URL of the Hugging Face hub (`<base>/<repo>/resolve/main/<file>`). */
  huggingFaceBaseUrl?: string;
}

export interface ModelFiles {
  dir: string;
  modelPath: string;
}

const offlineHint = (cacheDir: string, dirName: string) =>
  `copy the model's files into ${join(resolve(cacheDir), dirName)}, or set the model to a local ONNX directory ` +
  `(a path containing model.onnx and tokenizer.json), or use "${OFFLINE_MODEL}", which is built locally with no network`;

function stripSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

async function ensureOfflineModelDir(cacheDir: string): Promise<string> {
  // Imported lazily: building the offline model is only needed when it is the configured model.
  const specifier = "@hybrid/offline-model";
  const mod: unknown = await import(specifier);
  const ensure =
    typeof mod === "object" && mod !== null && "ensureOfflineModel" in mod ? mod.ensureOfflineModel : null;
  if (typeof ensure !== "function") throw new Error(`${specifier} does not export ensureOfflineModel`);
  const result: unknown = await ensure({ cacheDir });
  if (typeof result === "string") return result;
  if (typeof result === "object" && result !== null && "dir" in result && typeof result.dir === "string") {
    return result.dir;
  }
  throw new Error(`${specifier}: ensureOfflineModel returned no directory`);
}

/** Finds a dense model's files, downloading (catalogue models) or building (the offline model) them when missing. */
export async function ensureDenseModelFiles(
  spec: DenseModelSpec,
  cacheDir: string,
  sources: ModelSources = {},
): Promise<ModelFiles> {
  const { source } = spec;
  let dir: string;
  let modelFile = "model.onnx";
  if (source.kind === "fastembed") {
    const url = `${stripSlash(sources.denseArchiveBaseUrl ?? FASTEMBED_ARCHIVE_BASE_URL)}/${source.archive}`;
    dir = await downloadModelArchive({
      model: spec.name,
      url,
      cacheDir,
      dirName: source.dirName,
      offlineHint: offlineHint(cacheDir, source.dirName),
    });
    modelFile = source.modelFile;
  } else if (source.kind === "offline") {
    dir = await ensureOfflineModelDir(cacheDir);
  } else {
    dir = resolve(source.dir);
  }
  const modelPath = join(dir, modelFile);
  for (const path of [modelPath, join(dir, "tokenizer.json")]) {
    if (!existsSync(path)) {
      throw new AppError("BAD_REQUEST", `dense model "${spec.name}": ${path} does not exist`);
    }
  }
  return { dir, modelPath };
}

/** Finds SPLADE's files (fastembed's cache layout), downloading them from the hub when missing. */
export async function ensureSpladeFiles(cacheDir: string, sources: ModelSources = {}): Promise<ModelFiles> {
  const base = `${stripSlash(sources.huggingFaceBaseUrl ?? HUGGING_FACE_BASE_URL)}/${SPLADE_MODEL}/resolve/main`;
  const dir = await downloadModelFiles({
    model: SPLADE_MODEL,
    baseUrl: base,
    files: SPLADE_FILES,
    cacheDir,
    dirName: SPLADE_DIR_NAME,
    offlineHint: offlineHint(cacheDir, SPLADE_DIR_NAME),
  });
  return { dir, modelPath: join(dir, "onnx", "model.onnx") };
}

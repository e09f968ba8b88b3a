import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { convertGraph } from "./convert-graph.js";
import { encodeOnnxModel } from "./onnx-proto.js";
import { loadTfjsModel, SOURCE_PACKAGE, sourcePackageDir } from "./tfjs-model.js";
import { buildLoaderConfigs, buildTokenizerJson } from "./tokenizer-json.js";

export const MODEL_NAME = "offline/use-lite";
export const MODEL_DIM = 512;
export const MODEL_FILE = "model.onnx";
export const TOKENIZER_FILE = "tokenizer.json";
export const MANIFEST_FILE = "manifest.json";

export interface FileRecord {
  bytes: number;
  sha256: string;
}

export interface Manifest {
  name: typeof MODEL_NAME;
  dim: typeof MODEL_DIM;
  /** Hash of the generator's code and its source package; a different value means the files are stale. */
  buildKey: string;
  source: string;
  files: Record<string, FileRecord>;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Writes model.onnx, tokenizer.json, config.json, tokenizer_config.json, special_tokens_map.json and, last,
 * manifest.json into `dir` (which must exist). Output depends only on the source package and this code.
 */
export async function generateModelFiles(
  dir: string,
  buildKey: string,
  packageDir = sourcePackageDir(),
): Promise<Manifest> {
  const model = await loadTfjsModel(packageDir);
  const contents = new Map<string, Uint8Array | string>();
  contents.set(MODEL_FILE, encodeOnnxModel(convertGraph(model, buildKey.slice(0, 12))));
  contents.set(TOKENIZER_FILE, json(buildTokenizerJson(model.vocabulary)));
  for (const [file, value] of Object.entries(buildLoaderConfigs(model.vocabulary)))
    contents.set(file, json(value));

  const files: Record<string, FileRecord> = {};
  for (const [file, data] of contents) {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    await writeFile(path.join(dir, file), bytes);
    files[file] = { bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  }
  const manifest: Manifest = {
    name: MODEL_NAME,
    dim: MODEL_DIM,
    buildKey,
    source: `${SOURCE_PACKAGE}@${model.version}`,
    files,
  };
  await writeFile(path.join(dir, MANIFEST_FILE), json(manifest));
  return manifest;
}

import { existsSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { denseModelSpec, ensureDenseModelFiles, MINILM_MODEL } from "@hybrid/embeddings";
import { repoRoot } from "@hybrid/stack";
import { z } from "zod";

export interface TutorialModelDirs {
  /** This project's cache, the folder the workers and the query API load MiniLM from. */
  cacheDir: string;
  /** That folder as provisioned: its tokenizer_config.json allows 512 tokens. */
  stockDenseDir: string;
  /** The same files for fastembed, truncating where sentence-transformers (and this project) do: 256 tokens. */
  denseDir: string;
  /** fastembed's `Qdrant/bm25` layout: the English stopword list as `english.txt`. */
  bm25Dir: string;
}

const TokenizerConfig = z.looseObject({ model_max_length: z.number().optional() });
const SHARED_FILES = ["model.onnx", "tokenizer.json", "config.json", "special_tokens_map.json"];

/**
 * Model folders for fastembed made of this project's own model files (Hugging Face is out of reach, and the
 * comparison wants the same weights on both sides). fastembed truncates at the tokenizer_config's
 * `model_max_length`, 512 in the MiniLM files, where sentence-transformers and this project stop at 256 (the
 * model's `max_seq_length`); the bench gives fastembed a copy of the config saying 256 so both sides compute the same
 * vectors, and reports what the 512 would change.
 */
export async function prepareTutorialModels(): Promise<TutorialModelDirs> {
  const cacheDir = join(repoRoot, ".cache", "models");
  const spec = denseModelSpec(MINILM_MODEL);
  const { dir: stockDenseDir } = await ensureDenseModelFiles(spec, cacheDir);
  const root = join(repoRoot, ".cache", "peer-models");
  const denseDir = join(root, "all-MiniLM-L6-v2-256");
  const bm25Dir = join(root, "bm25");
  await rm(root, { recursive: true, force: true });
  await mkdir(denseDir, { recursive: true });
  await mkdir(bm25Dir, { recursive: true });
  for (const file of SHARED_FILES) await symlink(join(stockDenseDir, file), join(denseDir, file));
  const config = TokenizerConfig.parse(
    JSON.parse(await readFile(join(stockDenseDir, "tokenizer_config.json"), "utf8")),
  );
  await writeFile(
    join(denseDir, "tokenizer_config.json"),
    JSON.stringify({ ...config, model_max_length: spec.maxLength }),
  );
  const stopwords = join(repoRoot, "..", "shared", "bm25", "english-stopwords.txt");
  if (!existsSync(stopwords)) throw new Error(`BM25 stopwords not found at ${stopwords} (../shared/bm25)`);
  await symlink(stopwords, join(bm25Dir, "english.txt"));
  return { cacheDir, stockDenseDir, denseDir, bm25Dir };
}

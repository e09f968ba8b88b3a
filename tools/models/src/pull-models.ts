import {
  BM25_MODEL,
  DENSE_MODEL_NAMES,
  denseModelSpec,
  ensureDenseModelFiles,
  ensureSpladeFiles,
  type ModelSources,
  SPARSE_MODEL_NAMES,
  SPLADE_MODEL,
} from "@hybrid/embeddings";

export interface PullResult {
  model: string;
  /** Where its files are, or why nothing needed fetching. */
  dir?: string;
  note?: string;
}

/** Names that are neither catalogue models nor paths, each with the list of known names. */
export function unknownModels(names: string[]): string[] {
  const known = new Set([...DENSE_MODEL_NAMES, ...SPARSE_MODEL_NAMES]);
  return names.filter((name) => !known.has(name));
}

export const KNOWN_MODELS = (): string => [...DENSE_MODEL_NAMES, ...SPARSE_MODEL_NAMES].join(", ");

/** Puts each model into the cache (no-op when it is there), in order; the first failure stops the pull. */
export async function pullModels(
  names: string[],
  cacheDir: string,
  sources: ModelSources,
): Promise<PullResult[]> {
  const results: PullResult[] = [];
  for (const model of names) {
    if (model === BM25_MODEL) {
      results.push({ model, note: "computed in code, nothing to fetch" });
    } else if (model === SPLADE_MODEL) {
      results.push({ model, dir: (await ensureSpladeFiles(cacheDir, sources)).dir });
    } else {
      results.push({
        model,
        dir: (await ensureDenseModelFiles(denseModelSpec(model), cacheDir, sources)).dir,
      });
    }
  }
  return results;
}

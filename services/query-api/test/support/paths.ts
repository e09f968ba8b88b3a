import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, however the tests or the bench were started. */
export const REPO_ROOT = resolve(fileURLToPath(new URL("../../../../", import.meta.url)));
/** Datasets shared by every checkout, beside the repository. */
export const SHARED_DIR = resolve(REPO_ROOT, "../shared");
/** Where models are cached, as the services' default `.cache/models` from the repository root. */
export const MODEL_CACHE_DIR = resolve(REPO_ROOT, ".cache/models");
/** The service's package directory. */
export const SERVICE_DIR = resolve(REPO_ROOT, "services/query-api");
/** The real models of the project's offline setup. */
export const MODELS = { dense: "offline/use-lite", sparse: "Qdrant/bm25" } as const;

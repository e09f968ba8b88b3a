export {
  computeBuildKey,
  type EnsureOfflineModelOptions,
  ensureOfflineModel,
  MODEL_DIR_NAME,
  type OfflineModel,
} from "./ensure-offline-model.js";
export { type Manifest, MODEL_DIM, MODEL_NAME } from "./generate-model-files.js";
export { SUPPORTED_OPS } from "./tf-ops.js";
export { MAX_TOKENS, PAD_ID } from "./tokenizer-json.js";

/**
 * With INFERENCE=server the store embeds dense documents: the local mode then serves the configured dense model (from
 * the same model cache), playing Qdrant Cloud. Other modes need only its built-in qdrant/bm25.
 */
export function localModeArgs(env: Record<string, string | undefined>): string[] {
  if (env.INFERENCE !== "server") return [];
  return [
    "--dense-model",
    env.DENSE_MODEL ?? "sentence-transformers/all-MiniLM-L6-v2",
    "--model-cache",
    env.MODEL_CACHE_DIR ?? ".cache/models",
  ];
}

import { createEncoder } from "@hybrid/embeddings";
import { startQdrantLocal } from "@hybrid/qdrant-local";
import { createQdrantConnection } from "@hybrid/store";
import type { TestProject } from "vitest/node";
import { MODEL_CACHE_DIR, MODELS } from "./support/paths.js";
import { readStartups, seedStartups } from "./support/seed.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Qdrant local mode serving the seeded collection. */
    qdrantUrl: string;
    /** The startups sample, embedded by the real models (offline/use-lite + BM25). */
    startupsCollection: string;
  }
}

/** Starts the Qdrant local mode once for the e2e files and seeds it with the startups sample. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const qdrant = await startQdrantLocal({ port: 0 });
  const collection = `startups_e2e_${process.pid}`;
  try {
    const encoder = await createEncoder({
      ...MODELS,
      cacheDir: MODEL_CACHE_DIR,
      onnxThreads: 1,
      queryCacheSize: 0,
    });
    try {
      const client = createQdrantConnection({ url: qdrant.url, timeoutMs: 60_000 });
      await seedStartups(client, encoder, collection, readStartups()).finally(() => client.close());
    } finally {
      await encoder.close();
    }
  } catch (error) {
    await qdrant.close();
    throw error;
  }
  project.provide("qdrantUrl", qdrant.url);
  project.provide("startupsCollection", collection);
  return () => qdrant.close();
}

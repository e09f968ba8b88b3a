import { AppError } from "@hybrid/service-kit";
import { type CollectionModels, type QdrantConnection, readCollectionModels } from "@hybrid/store";
import { toUpstreamError } from "./upstream-error.js";

export interface CollectionModelsOptions {
  qdrant: QdrantConnection;
  /** How long a collection's recorded models are trusted before they are read again. */
  ttlMs?: number;
  now?: () => number;
}

/** The models a collection records in its metadata; `null` when it records none (created by something else). */
export type CollectionModelsLookup = (collection: string) => Promise<CollectionModels | null>;

/**
 * Reads the models a collection records (at most once per `ttlMs` per collection, so a search does not pay a
 * collection read each time). An unknown collection is a 404 naming `collection`.
 */
export function createCollectionModels({
  qdrant,
  ttlMs = 30_000,
  now = Date.now,
}: CollectionModelsOptions): CollectionModelsLookup {
  const known = new Map<string, { models: CollectionModels | null; at: number }>();
  return async (collection) => {
    const entry = known.get(collection);
    if (entry && now() - entry.at <= ttlMs) return entry.models;
    let models: CollectionModels | null;
    try {
      models = await readCollectionModels(qdrant, collection);
    } catch (error) {
      throw toUpstreamError(error, collection);
    }
    known.set(collection, { models, at: now() });
    return models;
  };
}

/**
 * A 409 when the query vector's size is not the dimension the collection records: the same model name can give
 * another dimension (a path model replaced on disk), and Qdrant would refuse the vector less clearly.
 */
export function checkDenseDimension(collection: string, recorded: CollectionModels, dim: number): void {
  if (dim === recorded.denseDim) return;
  throw new AppError(
    "CONFLICT",
    `collection "${collection}" was built with dense ${recorded.dense} (${recorded.denseDim} dims), ` +
      `the model loaded under that name here gives ${dim} dims`,
    { details: { field: "collection", collectionModels: recorded, denseDim: dim } },
  );
}

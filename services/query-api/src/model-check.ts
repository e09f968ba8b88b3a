import { AppError } from "@hybrid/service-kit";
import { type CollectionModels, type QdrantClient, readCollectionModels } from "@hybrid/store";
import { toUpstreamError } from "./upstream-error.js";

export interface ModelCheckOptions {
  client: QdrantClient;
  /** How long a collection's recorded models are trusted before they are read again. */
  ttlMs?: number;
  now?: () => number;
}

/** Checks that a collection was built with the models the service embeds queries with. */
export type ModelCheck = (collection: string, service: CollectionModels) => Promise<void>;

/**
 * Reads the models a collection records in its metadata (at most once per `ttlMs` per collection) and answers 409
 * CONFLICT when they differ from the service's: vectors of another model would be searched without an error but
 * with meaningless scores. Collections without recorded models are searched as they are.
 */
export function createModelCheck({ client, ttlMs = 30_000, now = Date.now }: ModelCheckOptions): ModelCheck {
  const known = new Map<string, { models: CollectionModels | null; at: number }>();
  return async (collection, service) => {
    let entry = known.get(collection);
    if (!entry || now() - entry.at > ttlMs) {
      try {
        entry = { models: await readCollectionModels(client, collection), at: now() };
      } catch (error) {
        throw toUpstreamError(error, `read collection "${collection}"`, collection);
      }
      known.set(collection, entry);
    }
    const recorded = entry.models;
    if (!recorded) return;
    const problems = [];
    if (recorded.dense !== service.dense || recorded.denseDim !== service.denseDim) {
      problems.push(
        `dense ${recorded.dense} (${recorded.denseDim} dims), the service embeds with ${service.dense} (${service.denseDim})`,
      );
    }
    if (recorded.sparse !== service.sparse) {
      problems.push(`sparse ${recorded.sparse}, the service embeds with ${service.sparse}`);
    }
    if (problems.length > 0) {
      throw new AppError("CONFLICT", `collection "${collection}" was built with ${problems.join("; ")}`, {
        details: { field: "collection", collectionModels: recorded, serviceModels: service },
      });
    }
  };
}

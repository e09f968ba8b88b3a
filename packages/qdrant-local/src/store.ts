import { Collection, indexDataType } from "./collection.js";
import { collectionNotFound } from "./errors.js";
import type { Operation } from "./ops.js";

/** All collections, changed only through `apply`, so that the write-ahead log and the live state see the same operations. */
export class LocalStore {
  readonly collections = new Map<string, Collection>();

  get(name: string): Collection {
    const collection = this.collections.get(name);
    if (!collection) throw collectionNotFound(name);
    return collection;
  }

  /** Applies a validated operation; returns the operation number within its collection (0 for collection-level ones). */
  apply(op: Operation): number {
    switch (op.type) {
      case "create_collection":
        this.collections.set(op.collection, new Collection(op.collection, op.config));
        return 0;
      case "delete_collection":
        this.collections.delete(op.collection);
        return 0;
      default:
        break;
    }
    const c = this.collections.get(op.collection);
    if (!c) return 0;
    switch (op.type) {
      case "update_collection":
        // Qdrant merges new metadata into the old; an empty object clears it.
        if (op.metadata) {
          c.config.metadata =
            Object.keys(op.metadata).length === 0 ? null : { ...(c.config.metadata ?? {}), ...op.metadata };
        }
        for (const [name, modifier] of Object.entries(op.sparseModifiers ?? {})) {
          const params = c.config.sparse[name];
          const index = c.sparse.get(name);
          if (!params || !index) continue;
          params.modifier = modifier;
          index.idf = modifier === "idf";
        }
        return 0;
      case "create_index":
        c.payloadIndexes.set(op.field, { schema: op.schema, dataType: indexDataType(op.schema) });
        return c.version;
      case "delete_index":
        c.payloadIndexes.delete(op.field);
        return c.version;
      case "upsert":
        return c.upsert(op.points);
      case "delete_points":
        return c.deletePoints(op.ids);
      case "set_payload":
        return c.setPayload(op.ids, op.payload, op.key);
      case "overwrite_payload":
        return c.overwritePayload(op.ids, op.payload);
      case "delete_payload":
        return c.deletePayload(op.ids, op.keys);
      case "clear_payload":
        return c.clearPayload(op.ids);
      case "update_vectors":
        return c.updateVectors(op.points);
      case "delete_vectors":
        return c.deleteVectors(op.ids, op.names);
    }
  }
}

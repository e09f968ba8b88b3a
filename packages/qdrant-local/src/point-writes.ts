import type { Collection } from "./collection.js";
import { badRequest, formatError, pointNotFound } from "./errors.js";
import { compileFilter } from "./filter.js";
import type { Operation } from "./ops.js";
import { readIdList, readUpsert, readVectorUpdates } from "./parse-points.js";
import type { PointId } from "./point-id.js";
import type {
  DeletePayload,
  DeleteVectors,
  ExtendedPointId,
  Filter,
  PointInsertOperations,
  PointsSelector,
  SetPayload,
  UpdateOperation,
  UpdateVectors,
} from "./requests/qdrant-requests.generated.js";
import { isVariant } from "./requests/variant.js";

/**
 * Checked request bodies of the point writes turned into store operations, with filters resolved to ids now so the
 * logged operation is exact. The single endpoints refuse ids that do not exist (`mustExist`); `points/batch` skips them.
 */

function filterIds(collection: Collection, filter: Filter, where: string): PointId[] {
  const predicate = compileFilter(filter, where, collection);
  const ids: PointId[] = [];
  for (const point of collection.points.values()) if (predicate(point)) ids.push(point.id);
  return ids;
}

type Selection = { points?: ExtendedPointId[] | null; filter?: Filter | null };

/** Ids a write applies to: `points` (a list) or `filter`. */
function selectIds(collection: Collection, selection: Selection, mustExist: boolean): PointId[] {
  if (selection.points) {
    const ids = readIdList(selection.points, "points");
    if (mustExist) for (const id of ids) if (!collection.points.has(id)) throw pointNotFound(id);
    return ids;
  }
  if (selection.filter) return filterIds(collection, selection.filter, "filter");
  throw formatError("", "expected `points` (a list of ids) or `filter`");
}

export function upsertOp(collection: Collection, body: PointInsertOperations): Operation {
  return { type: "upsert", collection: collection.name, points: readUpsert(collection, body) };
}

/** `points` or `filter`, as the variant the selector is (a filter selector may carry a `points` that is not one). */
function selection(body: PointsSelector): Selection {
  return isVariant(body, "PointIdsList") ? { points: body.points } : { filter: body.filter };
}

export function deletePointsOp(collection: Collection, body: PointsSelector): Operation {
  return {
    type: "delete_points",
    collection: collection.name,
    ids: selectIds(collection, selection(body), false),
  };
}

export function setPayloadOp(collection: Collection, body: SetPayload, mustExist = true): Operation {
  const ids = selectIds(collection, body, mustExist);
  return {
    type: "set_payload",
    collection: collection.name,
    ids,
    payload: body.payload,
    key: body.key ?? null,
  };
}

export function overwritePayloadOp(collection: Collection, body: SetPayload, mustExist = true): Operation {
  const ids = selectIds(collection, body, mustExist);
  return { type: "overwrite_payload", collection: collection.name, ids, payload: body.payload };
}

export function deletePayloadOp(collection: Collection, body: DeletePayload, mustExist = true): Operation {
  const ids = selectIds(collection, body, mustExist);
  return { type: "delete_payload", collection: collection.name, ids, keys: body.keys };
}

export function clearPayloadOp(collection: Collection, body: PointsSelector, mustExist = true): Operation {
  const ids = selectIds(collection, selection(body), mustExist);
  return { type: "clear_payload", collection: collection.name, ids };
}

export function updateVectorsOp(collection: Collection, body: UpdateVectors, where = "points"): Operation {
  const points = readVectorUpdates(collection, body.points, where);
  return { type: "update_vectors", collection: collection.name, points };
}

export function deleteVectorsOp(collection: Collection, body: DeleteVectors, mustExist = true): Operation {
  for (const name of body.vector) {
    if (!(name in collection.config.vectors) && !(name in collection.config.sparse))
      throw badRequest(`Wrong input: Not existing vector name error: ${name}`);
  }
  const ids = selectIds(collection, body, mustExist);
  return { type: "delete_vectors", collection: collection.name, ids, names: body.vector };
}

/** One operation of `points/batch`, as the single endpoints read it but with missing ids skipped. */
export function batchOp(collection: Collection, op: UpdateOperation, where: string): Operation {
  if (isVariant(op, "UpsertOperation")) return upsertOp(collection, op.upsert);
  if (isVariant(op, "DeleteOperation")) return deletePointsOp(collection, op.delete);
  if (isVariant(op, "SetPayloadOperation")) return setPayloadOp(collection, op.set_payload, false);
  if (isVariant(op, "OverwritePayloadOperation"))
    return overwritePayloadOp(collection, op.overwrite_payload, false);
  if (isVariant(op, "DeletePayloadOperation")) return deletePayloadOp(collection, op.delete_payload, false);
  if (isVariant(op, "ClearPayloadOperation")) return clearPayloadOp(collection, op.clear_payload, false);
  if (isVariant(op, "UpdateVectorsOperation"))
    return updateVectorsOp(collection, op.update_vectors, `${where}.update_vectors.points`);
  return deleteVectorsOp(collection, op.delete_vectors, false);
}

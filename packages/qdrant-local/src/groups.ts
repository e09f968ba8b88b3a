import type { Collection, StoredPoint } from "./collection.js";
import { badRequest, formatError, unprocessable } from "./errors.js";
import { isPlainObject } from "./parse-points.js";
import { parsePath, valuesAt } from "./payload-path.js";
import { QueryEvaluator } from "./query.js";
import { readPayloadSelector, readVectorSelector, renderScored } from "./render.js";

function readCount(value: unknown, where: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw formatError(where, "expected an unsigned integer");
  if (value === 0)
    throw unprocessable(`Validation error in JSON body: [${where}: value 0 invalid, must be 1 or larger]`);
  return value;
}

/**
 * A query whose hits are grouped by a payload value (`points/query/groups`): hits are taken best first, each joins the group
 * of each of its string or integer values at `group_by`, groups keep `group_size` hits, and at most `limit` groups are made.
 */
export function runQueryGroups(collection: Collection, body: unknown, where: string): { groups: unknown[] } {
  if (!isPlainObject(body)) throw formatError(where, "invalid type: expected a query groups request object");
  const {
    group_by: groupBy,
    group_size: groupSize,
    limit,
    with_lookup: withLookup,
    with_payload,
    with_vector,
    ...query
  } = body;
  if (typeof groupBy !== "string") throw formatError(`${where}.group_by`, "expected a payload key");
  if (withLookup !== undefined && withLookup !== null)
    throw badRequest("Bad request: with_lookup is not supported by qdrant-local");
  const size = readCount(groupSize, `${where}.group_size`, 3);
  const groupLimit = readCount(limit, `${where}.limit`, 10);
  const payload = readPayloadSelector(with_payload, `${where}.with_payload`, false);
  const vector = readVectorSelector(with_vector, `${where}.with_vector`, false);
  const path = parsePath(groupBy);
  const hits = new QueryEvaluator(collection).run(
    { ...query, limit: Math.max(1, collection.size) },
    where,
    undefined,
    true,
  );
  const groups = new Map<string | number, Array<Record<string, unknown>>>();
  for (const hit of hits) {
    const point = collection.slots[hit.slot] as StoredPoint;
    const values = new Set(
      valuesAt(point.payload, path).filter(
        (v): v is string | number => typeof v === "string" || (typeof v === "number" && Number.isInteger(v)),
      ),
    );
    for (const value of values) {
      let group = groups.get(value);
      if (!group) {
        if (groups.size >= groupLimit) continue;
        group = [];
        groups.set(value, group);
      }
      if (group.length < size)
        group.push(renderScored(collection, point, hit.score, payload, vector, hit.orderValue));
    }
  }
  return { groups: [...groups].map(([id, groupHits]) => ({ id, hits: groupHits })) };
}

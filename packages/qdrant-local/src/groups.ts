import type { Collection, StoredPoint } from "./collection.js";
import { badRequest } from "./errors.js";
import { parsePath, valuesAt } from "./payload-path.js";
import { QueryEvaluator } from "./query.js";
import { readPayloadSelector, readVectorSelector, renderScored } from "./render.js";
import type { QueryGroupsRequest } from "./requests/qdrant-requests.generated.js";

/**
 * A query whose hits are grouped by a payload value (`points/query/groups`): hits are taken best first, each joins the group
 * of each of its string or integer values at `group_by`, groups keep `group_size` hits, and at most `limit` groups are made.
 */
export function runQueryGroups(collection: Collection, body: QueryGroupsRequest): { groups: unknown[] } {
  const {
    group_by: groupBy,
    group_size: groupSize,
    limit,
    with_lookup,
    with_payload,
    with_vector,
    ...query
  } = body;
  if (with_lookup !== undefined && with_lookup !== null)
    throw badRequest("Bad request: with_lookup is not supported by qdrant-local");
  const size = groupSize ?? 3;
  const groupLimit = limit ?? 10;
  const payload = readPayloadSelector(with_payload, false);
  const vector = readVectorSelector(with_vector, false);
  const path = parsePath(groupBy);
  const hits = new QueryEvaluator(collection).run({ ...query, limit: Math.max(1, collection.size) }, "");
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

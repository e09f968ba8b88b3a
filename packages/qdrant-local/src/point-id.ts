import { formatError } from "./errors.js";
import type { ExtendedPointId } from "./requests/qdrant-requests.generated.js";

/** A point id: an unsigned integer, or a UUID in its lowercase hyphenated form. */
export type PointId = number | string;

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const URN_RE = /^urn:uuid:/i;
const BRACED_RE = /^\{(.*)\}$/;

/**
 * An id as Qdrant keeps it: integers within what a JS number holds exactly, UUID strings in any of the simple,
 * hyphenated, braced or urn forms turned into the hyphenated one (the schema has checked the types).
 */
export function parsePointId(value: ExtendedPointId, where: string): PointId {
  if (typeof value === "number") {
    if (value <= Number.MAX_SAFE_INTEGER) return value;
    throw formatError(where, `invalid point id ${value}: larger than qdrant-local keeps exactly`);
  }
  let text = value.replace(URN_RE, "");
  const braced = BRACED_RE.exec(text);
  if (braced?.[1] !== undefined) text = braced[1];
  if (!UUID_RE.test(text)) throw formatError(where, `Unable to parse UUID: ${value}`);
  const hex = text.replaceAll("-", "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Qdrant's id order: numbers ascending, then UUIDs ascending (their hex form sorts as their 128-bit value). */
export function comparePointIds(a: PointId, b: PointId): number {
  if (typeof a === "number") {
    if (typeof b === "number") return a - b;
    return -1;
  }
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

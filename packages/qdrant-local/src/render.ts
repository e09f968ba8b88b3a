import type { Collection, StoredPoint } from "./collection.js";
import { formatError } from "./errors.js";
import { isPlainObject } from "./parse-points.js";
import { deleteAt, parsePath, rawValuesAt } from "./payload-path.js";

/** What `with_payload` asks for: nothing, everything, some keys, or all but some keys. */
export type PayloadSelector =
  | { kind: "none" }
  | { kind: "all" }
  | { kind: "include"; keys: string[] }
  | { kind: "exclude"; keys: string[] };

/** What `with_vector` asks for: nothing, all vectors, or some names. */
export type VectorSelector = { kind: "none" } | { kind: "all" } | { kind: "some"; names: Set<string> };

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === "string"))
    throw formatError(where, "expected a list of strings");
  return value as string[];
}

export function readPayloadSelector(value: unknown, where: string, fallback: boolean): PayloadSelector {
  if (value === undefined || value === null) return { kind: fallback ? "all" : "none" };
  if (typeof value === "boolean") return { kind: value ? "all" : "none" };
  if (Array.isArray(value)) return { kind: "include", keys: stringList(value, where) };
  if (isPlainObject(value)) {
    if ("include" in value) return { kind: "include", keys: stringList(value.include, `${where}.include`) };
    if ("exclude" in value) return { kind: "exclude", keys: stringList(value.exclude, `${where}.exclude`) };
  }
  throw formatError(where, "data did not match any variant of untagged enum WithPayloadInterface");
}

export function readVectorSelector(value: unknown, where: string, fallback: boolean): VectorSelector {
  if (value === undefined || value === null) return { kind: fallback ? "all" : "none" };
  if (typeof value === "boolean") return { kind: value ? "all" : "none" };
  if (Array.isArray(value)) return { kind: "some", names: new Set(stringList(value, where)) };
  throw formatError(where, "data did not match any variant of untagged enum WithVector");
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const steps = parsePath(key);
  let cur = target;
  steps.forEach((step, i) => {
    if (step.kind !== "key") return;
    if (i === steps.length - 1) cur[step.name] = value;
    else {
      if (!isPlainObject(cur[step.name])) cur[step.name] = {};
      cur = cur[step.name] as Record<string, unknown>;
    }
  });
}

export function selectPayload(
  payload: Record<string, unknown>,
  selector: PayloadSelector,
): Record<string, unknown> | undefined {
  switch (selector.kind) {
    case "none":
      return undefined;
    case "all":
      return payload;
    case "include": {
      const out: Record<string, unknown> = {};
      for (const key of selector.keys) {
        const steps = parsePath(key);
        if (steps.some((s) => s.kind !== "key")) {
          const values = rawValuesAt(payload, steps);
          if (values.length > 0) setPath(out, key.replace(/\[.*$/, ""), values);
          continue;
        }
        const values = rawValuesAt(payload, steps);
        if (values.length > 0) setPath(out, key, values[0]);
      }
      return out;
    }
    case "exclude": {
      const out = structuredClone(payload);
      for (const key of selector.keys) deleteAt(out, parsePath(key));
      return out;
    }
  }
}

/** A point as `retrieve`/`scroll` return it (Qdrant's Record). */
export function renderRecord(
  collection: Collection,
  point: StoredPoint,
  payload: PayloadSelector,
  vector: VectorSelector,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: point.id };
  const p = selectPayload(point.payload, payload);
  if (p !== undefined) out.payload = p;
  if (vector.kind !== "none")
    out.vector = collection.vectorsOf(point, vector.kind === "some" ? vector.names : undefined);
  return out;
}

/** A point as queries return it (Qdrant's ScoredPoint). */
export function renderScored(
  collection: Collection,
  point: StoredPoint,
  score: number,
  payload: PayloadSelector,
  vector: VectorSelector,
  orderValue?: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: point.id, version: point.version, score };
  const p = selectPayload(point.payload, payload);
  if (p !== undefined) out.payload = p;
  if (vector.kind !== "none")
    out.vector = collection.vectorsOf(point, vector.kind === "some" ? vector.names : undefined);
  if (orderValue !== undefined) out.order_value = orderValue;
  return out;
}

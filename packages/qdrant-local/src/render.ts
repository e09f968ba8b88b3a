import type { Collection, StoredPoint } from "./collection.js";
import { deleteAt, isJsonObject, parsePath, rawValuesAt } from "./payload-path.js";
import type { WithPayloadInterface, WithVector } from "./requests/qdrant-requests.generated.js";

/** What `with_payload` asks for: nothing, everything, some keys, or all but some keys. */
export type PayloadSelector =
  | { kind: "none" }
  | { kind: "all" }
  | { kind: "include"; keys: string[] }
  | { kind: "exclude"; keys: string[] };

/** What `with_vector` asks for: nothing, all vectors, or some names. */
export type VectorSelector = { kind: "none" } | { kind: "all" } | { kind: "some"; names: Set<string> };

/** `with_payload` of a request; `fallback` (true: everything) when absent. */
export function readPayloadSelector(
  value: WithPayloadInterface | null | undefined,
  fallback: boolean,
): PayloadSelector {
  if (value === undefined || value === null) return { kind: fallback ? "all" : "none" };
  if (typeof value === "boolean") return { kind: value ? "all" : "none" };
  if (Array.isArray(value)) return { kind: "include", keys: value };
  if ("include" in value) return { kind: "include", keys: value.include };
  return { kind: "exclude", keys: value.exclude };
}

/** `with_vector` of a request; `fallback` when absent. */
export function readVectorSelector(value: WithVector | null | undefined, fallback: boolean): VectorSelector {
  if (value === undefined || value === null) return { kind: fallback ? "all" : "none" };
  if (typeof value === "boolean") return { kind: value ? "all" : "none" };
  return { kind: "some", names: new Set(value) };
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const steps = parsePath(key);
  let cur = target;
  steps.forEach((step, i) => {
    if (step.kind !== "key") return;
    if (i === steps.length - 1) cur[step.name] = value;
    else {
      if (!isJsonObject(cur[step.name])) cur[step.name] = {};
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
  const { id, ...rest } = renderRecord(collection, point, payload, vector);
  return {
    id,
    version: point.version,
    score,
    ...rest,
    ...(orderValue !== undefined ? { order_value: orderValue } : {}),
  };
}

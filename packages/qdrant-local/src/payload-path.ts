import { badRequest } from "./errors.js";

export type PathStep = { kind: "key"; name: string } | { kind: "all" } | { kind: "index"; index: number };

const cache = new Map<string, PathStep[]>();

/** Parses a payload key path: `a.b` walks objects, `a[]` every array element, `a[2]` one element, `"x.y"` a quoted key. */
export function parsePath(path: string): PathStep[] {
  const hit = cache.get(path);
  if (hit) return hit;
  const steps: PathStep[] = [];
  let i = 0;
  const fail = (): never => {
    throw badRequest(`Bad request: Invalid key path: ${JSON.stringify(path)}`);
  };
  if (path.length === 0) fail();
  while (i < path.length) {
    if (path[i] === '"') {
      const end = path.indexOf('"', i + 1);
      if (end < 0) fail();
      steps.push({ kind: "key", name: path.slice(i + 1, end) });
      i = end + 1;
    } else {
      let end = i;
      while (end < path.length && path[end] !== "." && path[end] !== "[") end++;
      if (end === i) fail();
      steps.push({ kind: "key", name: path.slice(i, end) });
      i = end;
    }
    while (path[i] === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) fail();
      const inner = path.slice(i + 1, close);
      if (inner === "") steps.push({ kind: "all" });
      else if (/^\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else fail();
      i = close + 1;
    }
    if (i < path.length) {
      if (path[i] !== ".") fail();
      i++;
      if (i === path.length) fail();
    }
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(path, steps);
  return steps;
}

/** A JSON object (not an array, not null): what a payload, or a value inside one, can be walked into. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Values reached by a path, before a final array is spread (an array value stays one value here). */
export function rawValuesAt(root: unknown, steps: readonly PathStep[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === "key") {
        if (isJsonObject(value) && Object.hasOwn(value, step.name)) next.push(value[step.name]);
      } else if (Array.isArray(value)) {
        if (step.kind === "all") next.push(...value);
        else if (step.index < value.length) next.push(value[step.index]);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** Values a condition tests: what the path reaches, with a final array spread one level. */
export function valuesAt(root: unknown, steps: readonly PathStep[]): unknown[] {
  const raw = rawValuesAt(root, steps);
  if (raw.length === 1 && !Array.isArray(raw[0])) return raw;
  const out: unknown[] = [];
  for (const value of raw) {
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
  }
  return out;
}

/** Removes what a path reaches from a payload, in place. */
export function deleteAt(root: Record<string, unknown>, steps: readonly PathStep[]): void {
  const last = steps[steps.length - 1];
  if (!last) return;
  const parents = rawValuesAt(root, steps.slice(0, -1));
  for (const parent of parents) {
    if (last.kind === "key") {
      if (isJsonObject(parent)) delete parent[last.name];
    } else if (Array.isArray(parent)) {
      if (last.kind === "all") parent.length = 0;
      else if (last.index < parent.length) parent.splice(last.index, 1);
    }
  }
}

/** Merges `values` into the object(s) a path reaches, creating objects on missing keys (Qdrant's `set_payload` with `key`). */
export function mergeAt(
  root: Record<string, unknown>,
  steps: readonly PathStep[],
  values: Record<string, unknown>,
): void {
  let targets: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const target of targets) {
      if (step.kind === "key") {
        if (!isJsonObject(target)) continue;
        if (!isJsonObject(target[step.name])) target[step.name] = {};
        next.push(target[step.name]);
      } else if (Array.isArray(target)) {
        if (step.kind === "all") next.push(...target.filter(isJsonObject));
        else if (isJsonObject(target[step.index])) next.push(target[step.index]);
      }
    }
    targets = next;
  }
  for (const target of targets) if (isJsonObject(target)) mergePayload(target, values);
}

/** Qdrant's set-payload merge: each key is set, except that a null value removes the key (not stored as null). */
export function mergePayload(target: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === null) delete target[key];
    else target[key] = structuredClone(value);
  }
}

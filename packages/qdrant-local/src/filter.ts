import { badRequest, formatError, unprocessable } from "./errors.js";
import { geoBoundingBox, geoPolygon, geoRadius } from "./filter-geo.js";
import { isJsonObject, type PathStep, parsePath, rawValuesAt, valuesAt } from "./payload-path.js";
import { type PointId, parsePointId } from "./point-id.js";
import type {
  Condition,
  FieldCondition,
  Filter,
  Match,
  RangeInterface,
} from "./requests/qdrant-requests.generated.js";
import { isVariant } from "./requests/variant.js";
import { containsPhrase, wordTokens } from "./text-tokens.js";

/** What a condition can look at. */
export interface FilterTarget {
  id: PointId;
  slot: number;
  payload: Record<string, unknown>;
}

export interface FilterEnv {
  hasVector(name: string, slot: number): boolean;
  /** Tokenizes a field's text when it has a full-text index; undefined means the default word tokenizer. */
  textTokenizer(key: string): ((text: string) => string[]) | undefined;
}

/** A compiled condition; `payload` is the point's payload, or one array element inside `nested`. */
type Check = (target: FilterTarget, payload: unknown) => boolean;

/** A filter clause as a list: Qdrant takes one condition or a list. */
export function conditionsOf(value: Condition | Condition[] | null | undefined): Condition[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Compiles a checked Qdrant filter into a predicate; throws Qdrant's error naming the place of a condition it refuses. */
export function compileFilter(
  filter: Filter,
  where: string,
  env: FilterEnv,
): (target: FilterTarget) => boolean {
  const check = compileFilterObject(filter, where, env, false);
  return (target) => check(target, target.payload);
}

function compileFilterObject(filter: Filter, where: string, env: FilterEnv, nested: boolean): Check {
  const compileAll = (list: Condition | Condition[] | null | undefined, at: string) =>
    conditionsOf(list).map((c, i) => compileCondition(c, `${where}.${at}[${i}]`, env, nested));
  const must = compileAll(filter.must, "must");
  const mustNot = compileAll(filter.must_not, "must_not");
  const should = compileAll(filter.should, "should");
  const minCount = filter.min_should?.min_count ?? 0;
  const minShould = compileAll(filter.min_should?.conditions, "min_should.conditions");
  return (target, payload) => {
    for (const c of must) if (!c(target, payload)) return false;
    for (const c of mustNot) if (c(target, payload)) return false;
    if (should.length > 0 && !should.some((c) => c(target, payload))) return false;
    if (filter.min_should) {
      let hits = 0;
      for (const c of minShould) if (c(target, payload) && ++hits >= minCount) break;
      if (hits < minCount) return false;
    }
    return true;
  };
}

/** Variants in the schema's order, the order serde tries them in. */
function compileCondition(cond: Condition, where: string, env: FilterEnv, nested: boolean): Check {
  if (isVariant(cond, "FieldCondition")) return compileField(cond, where, env);
  if (isVariant(cond, "IsEmptyCondition")) {
    const steps = parsePath(cond.is_empty.key);
    return (_t, payload) => isEmptyAt(payload, steps);
  }
  if (isVariant(cond, "IsNullCondition")) {
    const steps = parsePath(cond.is_null.key);
    return (_t, payload) => isNullAt(payload, steps);
  }
  if (isVariant(cond, "HasIdCondition")) {
    if (nested) throw badRequest("Bad request: HasId condition is not supported inside nested filters");
    const ids = new Set<PointId>(cond.has_id.map((id, i) => parsePointId(id, `${where}.has_id[${i}]`)));
    return (target) => ids.has(target.id);
  }
  if (isVariant(cond, "HasVectorCondition")) {
    const name = cond.has_vector;
    return (target) => env.hasVector(name, target.slot);
  }
  if (isVariant(cond, "NestedCondition")) {
    const steps = parsePath(cond.nested.key);
    const inner = compileFilterObject(cond.nested.filter, `${where}.nested.filter`, env, true);
    return (target, payload) => {
      for (const value of rawValuesAt(payload, steps)) {
        const elements = Array.isArray(value) ? value : [value];
        for (const element of elements) if (isJsonObject(element) && inner(target, element)) return true;
      }
      return false;
    };
  }
  return compileFilterObject(cond, where, env, nested);
}

function isEmptyAt(payload: unknown, steps: readonly PathStep[]): boolean {
  const raw = rawValuesAt(payload, steps);
  if (raw.length === 0) return true;
  return raw.every((v) => v === null || (Array.isArray(v) && v.length === 0));
}

function isNullAt(payload: unknown, steps: readonly PathStep[]): boolean {
  return rawValuesAt(payload, steps).some((v) => v === null);
}

type Bounds = { gt?: number; gte?: number; lt?: number; lte?: number };

/** A range's bounds as numbers (datetimes as epoch milliseconds), and whether they were datetimes. */
function readRange(spec: RangeInterface, where: string): { bounds: Bounds; dates: boolean } {
  const bounds: Bounds = {};
  let dates = false;
  for (const k of ["gt", "gte", "lt", "lte"] as const) {
    const v = spec[k];
    if (typeof v === "number") bounds[k] = v;
    else if (typeof v === "string") {
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw formatError(`${where}.${k}`, `invalid datetime ${JSON.stringify(v)}`);
      bounds[k] = t;
      dates = true;
    }
  }
  return { bounds, dates };
}

function inRange(n: number, r: Bounds): boolean {
  return (
    (r.gt === undefined || n > r.gt) &&
    (r.gte === undefined || n >= r.gte) &&
    (r.lt === undefined || n < r.lt) &&
    (r.lte === undefined || n <= r.lte)
  );
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v);
}

function compileMatch(spec: Match, key: string, env: FilterEnv): (value: unknown) => boolean {
  if (isVariant(spec, "MatchValue")) {
    const want = spec.value;
    return typeof want === "number" ? (v) => isInt(v) && v === want : (v) => v === want;
  }
  if (isVariant(spec, "MatchAny")) {
    const set = new Set<unknown>(spec.any);
    return (v) => (typeof v === "string" || isInt(v)) && set.has(v);
  }
  if (isVariant(spec, "MatchExcept")) {
    const set = new Set<unknown>(spec.except);
    return (v) => v !== null && v !== undefined && !((typeof v === "string" || isInt(v)) && set.has(v));
  }
  const [mode, text] = isVariant(spec, "MatchText")
    ? (["text", spec.text] as const)
    : isVariant(spec, "MatchTextAny")
      ? (["text_any", spec.text_any] as const)
      : (["phrase", spec.phrase] as const);
  // Qdrant's engine tokenizes with or without a full-text index (not a substring test); no tokens match nothing.
  const tokenize = env.textTokenizer(key) ?? wordTokens;
  const wanted = tokenize(text);
  if (wanted.length === 0) return () => false;
  return (v) => {
    if (typeof v !== "string") return false;
    const have = tokenize(v);
    if (mode === "phrase") return containsPhrase(have, wanted);
    const set = new Set(have);
    return mode === "text" ? wanted.every((t) => set.has(t)) : wanted.some((t) => set.has(t));
  };
}

/** One test of a field condition, over the values at its key (`raw`: the payload the key is read from). */
type FieldCheck = (values: unknown[], raw: unknown) => boolean;

function compileField(cond: FieldCondition, where: string, env: FilterEnv): Check {
  const steps = parsePath(cond.key);
  const checks: FieldCheck[] = [];
  const some =
    (test: (value: unknown) => boolean): FieldCheck =>
    (values) =>
      values.some(test);
  if (cond.match) checks.push(some(compileMatch(cond.match, cond.key, env)));
  if (cond.range) {
    const { bounds, dates } = readRange(cond.range, `${where}.range`);
    checks.push(
      some(
        dates
          ? (v) => typeof v === "string" && inRange(Date.parse(v), bounds) && !Number.isNaN(Date.parse(v))
          : (v) => typeof v === "number" && inRange(v, bounds),
      ),
    );
  }
  if (cond.values_count) {
    const { bounds } = readRange(cond.values_count, `${where}.values_count`);
    checks.push((values) => inRange(values.length, bounds));
  }
  if (cond.geo_radius) checks.push(some(geoRadius(cond.geo_radius, `${where}.geo_radius`)));
  if (cond.geo_bounding_box)
    checks.push(some(geoBoundingBox(cond.geo_bounding_box, `${where}.geo_bounding_box`)));
  if (cond.geo_polygon) checks.push(some(geoPolygon(cond.geo_polygon, `${where}.geo_polygon`)));
  const { is_empty: isEmpty, is_null: isNull } = cond;
  if (typeof isEmpty === "boolean") checks.push((_v, raw) => isEmptyAt(raw, steps) === isEmpty);
  if (typeof isNull === "boolean") checks.push((_v, raw) => isNullAt(raw, steps) === isNull);
  if (checks.length === 0)
    throw unprocessable(
      `Validation error in JSON body: [${where}: At least one field condition must be specified]`,
    );
  return (_target, payload) => {
    const values = valuesAt(payload, steps);
    for (const c of checks) if (!c(values, payload)) return false;
    return true;
  };
}

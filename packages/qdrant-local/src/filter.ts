import { badRequest, formatError, unprocessable } from "./errors.js";
import { geoPoint, haversine, inPolygon, readGeo } from "./filter-geo.js";
import { type PathStep, parsePath, rawValuesAt, valuesAt } from "./payload-path.js";
import { type PointId, parsePointId } from "./point-id.js";
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

const FILTER_KEYS = new Set(["must", "should", "must_not", "min_should"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Compiles a Qdrant filter into a predicate; throws a 400 naming the place of a malformed condition. */
export function compileFilter(
  filter: unknown,
  where: string,
  env: FilterEnv,
): (target: FilterTarget) => boolean {
  const check = compileFilterObject(filter, where, env, false);
  return (target) => check(target, target.payload);
}

function compileFilterObject(filter: unknown, where: string, env: FilterEnv, nested: boolean): Check {
  if (!isPlainObject(filter)) throw formatError(where, "invalid type: expected a filter object");
  for (const key of Object.keys(filter)) {
    if (!FILTER_KEYS.has(key))
      throw formatError(
        where,
        `unknown field \`${key}\`, expected one of \`should\`, \`min_should\`, \`must\`, \`must_not\``,
      );
  }
  const must = asList(filter.must).map((c, i) => compileCondition(c, `${where}.must[${i}]`, env, nested));
  const mustNot = asList(filter.must_not).map((c, i) =>
    compileCondition(c, `${where}.must_not[${i}]`, env, nested),
  );
  const should = asList(filter.should).map((c, i) =>
    compileCondition(c, `${where}.should[${i}]`, env, nested),
  );
  let minShould: { checks: Check[]; minCount: number } | undefined;
  if (filter.min_should !== undefined && filter.min_should !== null) {
    const ms = filter.min_should;
    if (!isPlainObject(ms))
      throw formatError(`${where}.min_should`, "expected an object with `conditions` and `min_count`");
    const minCount = ms.min_count;
    if (typeof minCount !== "number" || !Number.isInteger(minCount) || minCount < 0) {
      throw formatError(`${where}.min_should.min_count`, "expected an unsigned integer");
    }
    if (!Array.isArray(ms.conditions))
      throw formatError(`${where}.min_should.conditions`, "expected a list of conditions");
    minShould = {
      minCount,
      checks: ms.conditions.map((c, i) =>
        compileCondition(c, `${where}.min_should.conditions[${i}]`, env, nested),
      ),
    };
  }
  return (target, payload) => {
    for (const c of must) if (!c(target, payload)) return false;
    for (const c of mustNot) if (c(target, payload)) return false;
    if (should.length > 0) {
      let any = false;
      for (const c of should) {
        if (c(target, payload)) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    if (minShould) {
      let hits = 0;
      for (const c of minShould.checks) {
        if (c(target, payload) && ++hits >= minShould.minCount) break;
      }
      if (hits < minShould.minCount) return false;
    }
    return true;
  };
}

function keyOf(value: unknown, where: string): { key: string; steps: PathStep[] } {
  if (typeof value !== "string") throw formatError(where, "expected a string key");
  return { key: value, steps: parsePath(value) };
}

function compileCondition(cond: unknown, where: string, env: FilterEnv, nested: boolean): Check {
  if (!isPlainObject(cond))
    throw formatError(where, "data did not match any variant of untagged enum Condition");
  if ("key" in cond) return compileField(cond, where, env);
  if ("is_empty" in cond) {
    const spec = cond.is_empty;
    if (!isPlainObject(spec)) throw formatError(`${where}.is_empty`, "expected an object with `key`");
    const { steps } = keyOf(spec.key, `${where}.is_empty.key`);
    return (_t, payload) => isEmptyAt(payload, steps);
  }
  if ("is_null" in cond) {
    const spec = cond.is_null;
    if (!isPlainObject(spec)) throw formatError(`${where}.is_null`, "expected an object with `key`");
    const { steps } = keyOf(spec.key, `${where}.is_null.key`);
    return (_t, payload) => isNullAt(payload, steps);
  }
  if ("has_id" in cond) {
    if (nested) throw badRequest("Bad request: HasId condition is not supported inside nested filters");
    if (!Array.isArray(cond.has_id)) throw formatError(`${where}.has_id`, "expected a list of point ids");
    const ids = new Set<PointId>(cond.has_id.map((id, i) => parsePointId(id, `${where}.has_id[${i}]`)));
    return (target) => ids.has(target.id);
  }
  if ("has_vector" in cond) {
    const name = cond.has_vector;
    if (typeof name !== "string") throw formatError(`${where}.has_vector`, "expected a vector name");
    return (target) => env.hasVector(name, target.slot);
  }
  if ("nested" in cond) {
    const spec = cond.nested;
    if (!isPlainObject(spec))
      throw formatError(`${where}.nested`, "expected an object with `key` and `filter`");
    const { steps } = keyOf(spec.key, `${where}.nested.key`);
    const inner = compileFilterObject(spec.filter, `${where}.nested.filter`, env, true);
    return (target, payload) => {
      for (const value of rawValuesAt(payload, steps)) {
        const elements = Array.isArray(value) ? value : [value];
        for (const element of elements) if (isPlainObject(element) && inner(target, element)) return true;
      }
      return false;
    };
  }
  if (Object.keys(cond).some((k) => FILTER_KEYS.has(k))) return compileFilterObject(cond, where, env, nested);
  throw formatError(where, "data did not match any variant of untagged enum Condition");
}

function isEmptyAt(payload: unknown, steps: readonly PathStep[]): boolean {
  const raw = rawValuesAt(payload, steps);
  if (raw.length === 0) return true;
  return raw.every((v) => v === null || (Array.isArray(v) && v.length === 0));
}

function isNullAt(payload: unknown, steps: readonly PathStep[]): boolean {
  return rawValuesAt(payload, steps).some((v) => v === null);
}

type Range = { gt?: number; gte?: number; lt?: number; lte?: number };

function readRange(spec: unknown, where: string): { range: Range; dates: boolean } {
  if (!isPlainObject(spec)) throw formatError(where, "expected an object with gt/gte/lt/lte");
  const range: Range = {};
  let dates = false;
  for (const [k, v] of Object.entries(spec)) {
    if (k !== "gt" && k !== "gte" && k !== "lt" && k !== "lte")
      throw formatError(where, `unknown field \`${k}\``);
    if (v === null || v === undefined) continue;
    if (typeof v === "number") range[k] = v;
    else if (typeof v === "string") {
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw formatError(`${where}.${k}`, `invalid datetime ${JSON.stringify(v)}`);
      range[k] = t;
      dates = true;
    } else throw formatError(`${where}.${k}`, "expected a number or an RFC 3339 datetime");
  }
  return { range, dates };
}

function inRange(n: number, r: Range): boolean {
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

function compileMatch(
  spec: unknown,
  where: string,
  key: string,
  env: FilterEnv,
): (value: unknown) => boolean {
  if (!isPlainObject(spec)) throw formatError(where, "expected a match object");
  if ("value" in spec) {
    const want = spec.value;
    if (typeof want === "string" || typeof want === "boolean") return (v) => v === want;
    if (isInt(want)) return (v) => isInt(v) && v === want;
    throw formatError(`${where}.value`, "expected a string, an integer or a boolean");
  }
  if ("any" in spec || "except" in spec) {
    const isAny = "any" in spec;
    const list = isAny ? spec.any : spec.except;
    const at = `${where}.${isAny ? "any" : "except"}`;
    if (!Array.isArray(list)) throw formatError(at, "expected a list of strings or integers");
    const strings = list.every((x) => typeof x === "string");
    const ints = list.every(isInt);
    if (!strings && !ints) throw formatError(at, "expected a list of strings or a list of integers");
    const set = new Set<unknown>(list);
    if (isAny) return (v) => (typeof v === "string" || isInt(v)) && set.has(v);
    return (v) => {
      if (v === null || v === undefined) return false;
      if (typeof v === "string" || isInt(v)) return !set.has(v);
      return true;
    };
  }
  if ("text" in spec || "text_any" in spec || "phrase" in spec) {
    const mode = "text" in spec ? "text" : "text_any" in spec ? "text_any" : "phrase";
    const text = spec[mode];
    if (typeof text !== "string") throw formatError(`${where}.${mode}`, "expected a string");
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
  throw formatError(where, "data did not match any variant of untagged enum Match");
}

function compileField(cond: Record<string, unknown>, where: string, env: FilterEnv): Check {
  const { key, steps } = keyOf(cond.key, `${where}.key`);
  const present = Object.keys(cond).filter((k) => k !== "key" && cond[k] !== null && cond[k] !== undefined);
  if (present.length === 0) {
    throw unprocessable(
      `Validation error in JSON body: [${where}: At least one field condition must be specified]`,
    );
  }
  const checks: Array<(values: unknown[], raw: unknown) => boolean> = [];
  for (const kind of present) {
    const spec = cond[kind];
    const at = `${where}.${kind}`;
    switch (kind) {
      case "match": {
        const m = compileMatch(spec, at, key, env);
        checks.push((values) => values.some(m));
        break;
      }
      case "range": {
        const { range, dates } = readRange(spec, at);
        if (dates) {
          checks.push((values) =>
            values.some((v) => {
              if (typeof v !== "string") return false;
              const t = Date.parse(v);
              return !Number.isNaN(t) && inRange(t, range);
            }),
          );
        } else checks.push((values) => values.some((v) => typeof v === "number" && inRange(v, range)));
        break;
      }
      case "values_count": {
        const { range } = readRange(spec, at);
        checks.push((values) => inRange(values.length, range));
        break;
      }
      case "geo_radius": {
        if (!isPlainObject(spec) || typeof spec.radius !== "number")
          throw formatError(at, "expected {center, radius}");
        const center = readGeo(spec.center, `${at}.center`);
        const radius = spec.radius;
        checks.push((values) =>
          values.some((v) => {
            const p = geoPoint(v);
            return p !== undefined && haversine(center, p) <= radius;
          }),
        );
        break;
      }
      case "geo_bounding_box": {
        if (!isPlainObject(spec)) throw formatError(at, "expected {top_left, bottom_right}");
        const tl = readGeo(spec.top_left, `${at}.top_left`);
        const br = readGeo(spec.bottom_right, `${at}.bottom_right`);
        checks.push((values) =>
          values.some((v) => {
            const p = geoPoint(v);
            if (!p || p.lat > tl.lat || p.lat < br.lat) return false;
            return tl.lon <= br.lon ? p.lon >= tl.lon && p.lon <= br.lon : p.lon >= tl.lon || p.lon <= br.lon;
          }),
        );
        break;
      }
      case "geo_polygon": {
        if (!isPlainObject(spec) || !isPlainObject(spec.exterior) || !Array.isArray(spec.exterior.points)) {
          throw formatError(at, "expected {exterior: {points}, interiors?}");
        }
        const exterior = spec.exterior.points.map((p, i) => readGeo(p, `${at}.exterior.points[${i}]`));
        const interiors = asList(spec.interiors).map((ring, r) => {
          if (!isPlainObject(ring) || !Array.isArray(ring.points))
            throw formatError(`${at}.interiors[${r}]`, "expected {points}");
          return ring.points.map((p, i) => readGeo(p, `${at}.interiors[${r}].points[${i}]`));
        });
        checks.push((values) =>
          values.some((v) => {
            const p = geoPoint(v);
            return p !== undefined && inPolygon(p, exterior) && !interiors.some((ring) => inPolygon(p, ring));
          }),
        );
        break;
      }
      case "is_empty": {
        if (typeof spec !== "boolean") throw formatError(at, "expected a boolean");
        checks.push((_v, raw) => isEmptyAt(raw, steps) === spec);
        break;
      }
      case "is_null": {
        if (typeof spec !== "boolean") throw formatError(at, "expected a boolean");
        checks.push((_v, raw) => isNullAt(raw, steps) === spec);
        break;
      }
      default:
        throw formatError(where, `unknown field \`${kind}\` in a field condition`);
    }
  }
  return (_target, payload) => {
    const values = valuesAt(payload, steps);
    for (const c of checks) if (!c(values, payload)) return false;
    return true;
  };
}

import type { Collection, StoredPoint } from "./collection.js";
import { badRequest, formatError, notFound, unprocessable } from "./errors.js";
import { compileFilter, type FilterTarget, mergeFilters } from "./filter.js";
import { fuseDbsf, fuseRrf } from "./fusion.js";
import { isPlainObject, readDenseNumbers, readSparse } from "./parse-points.js";
import { parsePath, valuesAt } from "./payload-path.js";
import { comparePointIds, parsePointId } from "./point-id.js";
import type { SparseVector } from "./sparse-index.js";
import { higherIsBetter } from "./vectors.js";

const MAX_PREFETCH_DEPTH = 64;

type QueryKind =
  | { kind: "none" }
  | { kind: "dense"; using: string; vector: number[]; exclude?: number[] }
  | { kind: "sparse"; using: string; vector: { indices: number[]; values: number[] }; exclude?: number[] }
  | { kind: "rrf"; k: number; weights: number[] | undefined }
  | { kind: "dbsf" }
  | ({ kind: "order_by" } & OrderBy)
  | { kind: "sample" };

/** A scored slot; `orderValue` set for order_by queries. */
export interface Hit {
  slot: number;
  score: number;
  orderValue?: number;
}

function readUsing(node: Record<string, unknown>, where: string): string {
  const using = node.using;
  if (using === undefined || using === null) return "";
  if (typeof using !== "string") throw formatError(`${where}.using`, "expected a vector name");
  return using;
}

/** Turns a vector input (dense list, sparse object, or point id) into a concrete query for vector `using`. */
function readVectorQuery(collection: Collection, value: unknown, using: string, where: string): QueryKind {
  if (typeof value === "string" || typeof value === "number") {
    const id = parsePointId(value, where);
    const point = collection.points.get(id);
    if (!point) throw notFound(`Not found: No point with id ${id} found`);
    const dense = collection.dense.get(using)?.get(point.slot);
    // As in Qdrant, the point a query is made from is left out of its results.
    if (dense) return { kind: "dense", using, vector: dense, exclude: [point.slot] };
    const sparse = collection.sparse.get(using)?.get(point.slot);
    if (sparse)
      return {
        kind: "sparse",
        using,
        vector: { indices: Array.from(sparse.indices), values: Array.from(sparse.values) },
        exclude: [point.slot],
      };
    throw badRequest(`Wrong input: Not existing vector name error: ${using}`);
  }
  const denseParams = collection.config.vectors[using];
  const sparseParams = collection.config.sparse[using];
  if (Array.isArray(value)) {
    if (value.length > 0 && Array.isArray(value[0]))
      throw badRequest("Wrong input: multivector queries are not supported by qdrant-local");
    if (!denseParams) {
      if (sparseParams)
        throw badRequest(
          `Wrong input: Conversion between sparse and regular vectors failed (vector \`${using}\` is sparse)`,
        );
      throw badRequest(`Wrong input: Not existing vector name error: ${using}`);
    }
    return { kind: "dense", using, vector: readDenseNumbers(value, denseParams.size, where) };
  }
  if (isPlainObject(value) && ("indices" in value || "values" in value)) {
    if (!sparseParams) {
      if (denseParams)
        throw badRequest(
          `Wrong input: Conversion between sparse and regular vectors failed (vector \`${using}\` is dense)`,
        );
      throw badRequest(`Wrong input: Not existing vector name error: ${using}`);
    }
    return { kind: "sparse", using, vector: readSparse(value, where) };
  }
  if (isPlainObject(value) && ("text" in value || "image" in value || "object" in value)) {
    throw badRequest(
      "Bad request: inference (documents, images, objects) is not available in qdrant-local; send vectors",
    );
  }
  throw formatError(where, "data did not match any variant of untagged enum QueryInterface");
}

function readQuery(collection: Collection, node: Record<string, unknown>, where: string): QueryKind {
  const q = node.query;
  const using = readUsing(node, where);
  if (q === undefined || q === null) return { kind: "none" };
  const at = `${where}.query`;
  if (isPlainObject(q) && !("indices" in q) && !("values" in q)) {
    if ("nearest" in q) {
      if (q.mmr !== undefined && q.mmr !== null)
        throw badRequest("Bad request: MMR is not supported by qdrant-local");
      return readVectorQuery(collection, q.nearest, using, `${at}.nearest`);
    }
    if ("fusion" in q) {
      if (q.fusion === "rrf") return { kind: "rrf", k: 2, weights: undefined };
      if (q.fusion === "dbsf") return { kind: "dbsf" };
      throw formatError(
        `${at}.fusion`,
        `unknown variant \`${String(q.fusion)}\`, expected \`rrf\` or \`dbsf\``,
      );
    }
    if ("rrf" in q) {
      const spec = q.rrf ?? {};
      if (!isPlainObject(spec)) throw formatError(`${at}.rrf`, "expected {k?, weights?}");
      const k = spec.k ?? 2;
      if (typeof k !== "number" || !Number.isInteger(k) || k < 1) {
        throw unprocessable(
          `Validation error in JSON body: [${at}.rrf.k: value ${String(k)} invalid, must be 1 or larger]`,
        );
      }
      let weights: number[] | undefined;
      if (spec.weights !== undefined && spec.weights !== null) {
        if (
          !Array.isArray(spec.weights) ||
          !spec.weights.every((w) => typeof w === "number" && Number.isFinite(w))
        ) {
          throw formatError(`${at}.rrf.weights`, "expected a list of numbers");
        }
        weights = spec.weights as number[];
      }
      return { kind: "rrf", k, weights };
    }
    if ("order_by" in q) return { kind: "order_by", ...readOrderBy(q.order_by, `${at}.order_by`) };
    if ("sample" in q) {
      if (q.sample !== "random") throw formatError(`${at}.sample`, "unknown variant, expected `random`");
      return { kind: "sample" };
    }
    if ("recommend" in q) return readRecommend(collection, q.recommend, using, `${at}.recommend`);
    for (const unsupported of ["discover", "context", "formula"]) {
      if (unsupported in q)
        throw badRequest(`Bad request: \`${unsupported}\` queries are not supported by qdrant-local`);
    }
  }
  return readVectorQuery(collection, q, using, at);
}

function readLimit(value: unknown, where: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw formatError(where, "expected an unsigned integer");
  if (value === 0)
    throw unprocessable(`Validation error in JSON body: [${where}: value 0 invalid, must be 1 or larger]`);
  return value;
}

function readThreshold(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") throw formatError(where, "expected a number");
  return value;
}

/** Evaluates Qdrant's universal query over one collection; every part of the request is checked before any search runs. */
export class QueryEvaluator {
  constructor(private readonly collection: Collection) {}

  private accept(filter: unknown, where: string): ((slot: number) => boolean) | undefined {
    if (filter === undefined || filter === null) return undefined;
    const predicate = compileFilter(filter, where, this.collection);
    const slots = this.collection.slots;
    return (slot) => {
      const point = slots[slot];
      return point !== undefined && predicate(point as FilterTarget);
    };
  }

  /** Runs one query node (the root, or a prefetch) and returns its ranked hits. */
  run(node: unknown, where: string, parentFilter: unknown, isRoot: boolean, depth = 0): Hit[] {
    if (!isPlainObject(node)) throw formatError(where, "expected a query object");
    if (depth > MAX_PREFETCH_DEPTH) throw badRequest("Bad request: prefetch nesting is too deep");
    const collection = this.collection;
    const query = readQuery(collection, node, where);
    const filter = mergeFilters(parentFilter, node.filter);
    const limit = readLimit(node.limit, where === "" ? "internal.limit" : `${where}.limit`, 10);
    const offset = isRoot
      ? node.offset === undefined || node.offset === null
        ? 0
        : readOffset(node.offset, `${where}.offset`)
      : 0;
    const threshold = readThreshold(node.score_threshold, `${where}.score_threshold`);
    const prefetchList =
      node.prefetch === undefined || node.prefetch === null
        ? []
        : Array.isArray(node.prefetch)
          ? node.prefetch
          : [node.prefetch];
    const wanted = limit + offset;
    if (threshold !== undefined && query.kind === "none") {
      throw badRequest(
        "Bad request: A query is needed to use the score_threshold. Can't have score_threshold without defining a query.",
      );
    }
    if (threshold !== undefined && query.kind === "order_by") {
      throw badRequest("Bad request: Can't use score_threshold with an order_by query.");
    }
    const filtered = this.accept(filter, `${where}.filter`);
    const excluded = "exclude" in query && query.exclude ? new Set(query.exclude) : undefined;
    const accept =
      excluded === undefined
        ? filtered
        : (slot: number) => !excluded.has(slot) && (filtered === undefined || filtered(slot));
    if ((query.kind === "rrf" || query.kind === "dbsf") && node.using !== undefined && node.using !== null) {
      throw badRequest("Bad request: Fusion queries cannot be combined with the 'using' field.");
    }

    if (prefetchList.length > 0) {
      if (query.kind === "none") {
        throw badRequest(
          "Bad request: A query is needed to merge the prefetches. Can't have prefetches without defining a query.",
        );
      }
      const sources = prefetchList.map((p, i) =>
        this.run(p, `${where}.prefetch[${i}]`, filter, false, depth + 1),
      );
      let hits: Hit[];
      if (query.kind === "rrf" || query.kind === "dbsf") {
        if (query.kind === "rrf" && query.weights && query.weights.length !== sources.length) {
          throw badRequest(
            `Bad request: RRF weights count (${query.weights.length}) must match the number of prefetches (${sources.length})`,
          );
        }
        const fused = query.kind === "rrf" ? fuseRrf(sources, query.k, query.weights) : fuseDbsf(sources);
        hits = this.sortByScore(
          [...fused].map(([slot, score]) => ({ slot, score })),
          true,
        );
        if (threshold !== undefined) hits = hits.filter((h) => h.score >= threshold);
      } else {
        const candidates = new Set<number>();
        for (const source of sources) for (const h of source) candidates.add(h.slot);
        hits = this.rescore(query, [...candidates], threshold, accept);
      }
      return hits.slice(offset, wanted);
    }

    switch (query.kind) {
      case "rrf":
      case "dbsf":
        throw badRequest(
          "Bad request: A fusion query needs prefetches to fuse. Can't have a fusion query without prefetches.",
        );
      case "dense": {
        const store = collection.dense.get(query.using);
        if (!store) throw badRequest(`Wrong input: Not existing vector name error: ${query.using}`);
        const q = store.prepareQuery(query.vector);
        const hits = store.search(q, wanted, collection.slotEnd, accept);
        return this.cut(
          this.sortTies(hits, higherIsBetter(store.distance)),
          threshold,
          higherIsBetter(store.distance),
        ).slice(offset, wanted);
      }
      case "sparse": {
        const index = collection.sparse.get(query.using);
        if (!index) throw badRequest(`Wrong input: Not existing vector name error: ${query.using}`);
        const hits = index.search(toSparse(query.vector), wanted, accept);
        return this.cut(this.sortTies(hits, true), threshold, true).slice(offset, wanted);
      }
      case "order_by":
        return this.orderBy(query, accept).slice(offset, wanted);
      case "sample": {
        const all = this.matching(accept);
        for (let i = all.length - 1; i > 0; i--) {
          const j = Math.floor(Math.random() * (i + 1));
          [all[i], all[j]] = [all[j] as Hit, all[i] as Hit];
        }
        return all.slice(0, limit);
      }
      case "none":
        return this.matching(accept).slice(offset, wanted);
    }
  }

  /** Points passing a filter, in id order, scored 0 (a query without `query`). */
  private matching(accept: ((slot: number) => boolean) | undefined): Hit[] {
    const out: Hit[] = [];
    for (const id of this.collection.orderedIds()) {
      const point = this.collection.points.get(id) as StoredPoint;
      if (accept === undefined || accept(point.slot)) out.push({ slot: point.slot, score: 0 });
    }
    return out;
  }

  private orderBy(spec: OrderBy, accept: ((slot: number) => boolean) | undefined): Hit[] {
    return orderPoints(this.collection, spec, accept);
  }

  private compareSlots(a: number, b: number): number {
    const pa = this.collection.slots[a];
    const pb = this.collection.slots[b];
    if (!pa || !pb) return a - b;
    const x = pa.id;
    const y = pb.id;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Sorts by score (best first), ties broken by point id. */
  private sortByScore(hits: Hit[], higher: boolean): Hit[] {
    return hits.sort(
      (a, b) => (higher ? b.score - a.score : a.score - b.score) || this.compareSlots(a.slot, b.slot),
    );
  }

  private sortTies(hits: Hit[], higher: boolean): Hit[] {
    return this.sortByScore(hits, higher);
  }

  /** score_threshold on a search: strict, and for distances it is an upper bound. */
  private cut(hits: Hit[], threshold: number | undefined, higher: boolean): Hit[] {
    if (threshold === undefined) return hits;
    return hits.filter((h) => (higher ? h.score > threshold : h.score < threshold));
  }

  /** A vector query over prefetch results: fresh scores for the union of their points. */
  private rescore(
    query: QueryKind,
    slots: number[],
    threshold: number | undefined,
    accept: ((slot: number) => boolean) | undefined,
  ): Hit[] {
    const collection = this.collection;
    const pass = accept === undefined ? slots : slots.filter(accept);
    if (query.kind === "dense") {
      const store = collection.dense.get(query.using);
      if (!store) throw badRequest(`Wrong input: Not existing vector name error: ${query.using}`);
      const q = store.prepareQuery(query.vector);
      const hits = pass.filter((s) => store.has(s)).map((slot) => ({ slot, score: store.score(slot, q) }));
      const higher = higherIsBetter(store.distance);
      return this.cut(this.sortByScore(hits, higher), threshold, higher);
    }
    if (query.kind === "sparse") {
      const index = collection.sparse.get(query.using);
      if (!index) throw badRequest(`Wrong input: Not existing vector name error: ${query.using}`);
      const sv = toSparse(query.vector);
      const hits: Hit[] = [];
      for (const slot of pass) {
        const score = index.score(slot, sv);
        if (score !== undefined) hits.push({ slot, score });
      }
      return this.cut(this.sortByScore(hits, true), threshold, true);
    }
    if (query.kind === "order_by") {
      const set = new Set(pass);
      return this.orderBy(query, (s) => set.has(s));
    }
    if (query.kind === "sample") return pass.map((slot) => ({ slot, score: 0 }));
    return this.sortByScore(
      pass.map((slot) => ({ slot, score: 0 })),
      true,
    );
  }
}

/**
 * A recommend query with the average_vector strategy: `2 * avg(positive) - avg(negative)` searched as a dense vector,
 * the example points left out of the results.
 */
function readRecommend(collection: Collection, spec: unknown, using: string, where: string): QueryKind {
  if (!isPlainObject(spec)) throw formatError(where, "expected {positive, negative, strategy}");
  const strategy = spec.strategy ?? "average_vector";
  if (strategy !== "average_vector") {
    throw badRequest(
      `Bad request: recommend strategy \`${String(strategy)}\` is not supported by qdrant-local (average_vector is)`,
    );
  }
  const params = collection.config.vectors[using];
  const store = collection.dense.get(using);
  if (!params || !store) throw badRequest(`Wrong input: Not existing vector name error: ${using}`);
  const exclude: number[] = [];
  const examples = (list: unknown, at: string): number[][] => {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) throw formatError(at, "expected a list of point ids or vectors");
    return list.map((item, i) => {
      if (Array.isArray(item))
        return Array.from(store.prepareQuery(readDenseNumbers(item, params.size, `${at}[${i}]`)));
      const id = parsePointId(item, `${at}[${i}]`);
      const point = collection.points.get(id);
      if (!point) throw notFound(`Not found: No point with id ${id} found`);
      const vector = store.get(point.slot);
      if (!vector) throw badRequest(`Wrong input: Not existing vector name error: ${using}`);
      exclude.push(point.slot);
      return vector;
    });
  };
  const positive = examples(spec.positive, `${where}.positive`);
  const negative = examples(spec.negative, `${where}.negative`);
  if (positive.length === 0) throw badRequest("Bad request: At least one positive vector ID required");
  const mean = (vectors: number[][]) => {
    const out = new Array<number>(params.size).fill(0);
    for (const v of vectors)
      for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (v[i] as number) / vectors.length;
    return out;
  };
  const pos = mean(positive);
  const vector =
    negative.length === 0
      ? pos
      : (() => {
          const neg = mean(negative);
          return pos.map((p, i) => p + p - (neg[i] as number));
        })();
  return { kind: "dense", using, vector, exclude };
}

export interface OrderBy {
  key: string;
  direction: "asc" | "desc";
  startFrom: number | undefined;
}

export function readOrderBy(ob: unknown, where: string): OrderBy {
  if (typeof ob === "string") return { key: ob, direction: "asc", startFrom: undefined };
  if (!isPlainObject(ob) || typeof ob.key !== "string")
    throw formatError(where, "expected a key or {key, direction, start_from}");
  const direction = ob.direction ?? "asc";
  if (direction !== "asc" && direction !== "desc")
    throw formatError(`${where}.direction`, "expected `asc` or `desc`");
  let startFrom: number | undefined;
  if (typeof ob.start_from === "number") startFrom = ob.start_from;
  else if (typeof ob.start_from === "string") {
    startFrom = Date.parse(ob.start_from);
    if (Number.isNaN(startFrom))
      throw formatError(`${where}.start_from`, "expected a number or an RFC 3339 datetime");
  } else if (ob.start_from !== undefined && ob.start_from !== null)
    throw formatError(`${where}.start_from`, "expected a number or a datetime");
  return { key: ob.key, direction, startFrom };
}

function orderValueOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** Points ordered by a payload value (one hit per point, its smallest value ascending or largest descending). */
export function orderPoints(
  collection: Collection,
  spec: OrderBy,
  accept: ((slot: number) => boolean) | undefined,
): Hit[] {
  const steps = parsePath(spec.key);
  const asc = spec.direction === "asc";
  const hits: Hit[] = [];
  for (const point of collection.points.values()) {
    if (accept !== undefined && !accept(point.slot)) continue;
    let best: number | undefined;
    for (const raw of valuesAt(point.payload, steps)) {
      const v = orderValueOf(raw);
      if (v === undefined) continue;
      if (spec.startFrom !== undefined && (asc ? v < spec.startFrom : v > spec.startFrom)) continue;
      if (best === undefined || (asc ? v < best : v > best)) best = v;
    }
    if (best !== undefined) hits.push({ slot: point.slot, score: 0, orderValue: best });
  }
  const byId = (a: Hit, b: Hit) =>
    comparePointIds(
      (collection.slots[a.slot] as StoredPoint).id,
      (collection.slots[b.slot] as StoredPoint).id,
    );
  hits.sort((a, b) => (asc ? 1 : -1) * ((a.orderValue as number) - (b.orderValue as number)) || byId(a, b));
  return hits;
}

function readOffset(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw formatError(where, "expected an unsigned integer");
  return value;
}

function toSparse(v: { indices: number[]; values: number[] }): SparseVector {
  return { indices: Uint32Array.from(v.indices), values: Float32Array.from(v.values) };
}

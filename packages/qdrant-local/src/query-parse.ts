import type { Collection } from "./collection.js";
import { badRequest, formatError, notFound, unprocessable } from "./errors.js";
import { type OrderBy, readOrderBy } from "./order-by.js";
import { isPlainObject, readDenseNumbers, readSparse } from "./parse-points.js";
import { parsePointId } from "./point-id.js";

/** One query of a request (root or prefetch) in checked form. */
export type QueryKind =
  | { kind: "none" }
  | { kind: "dense"; using: string; vector: number[]; exclude?: number[] }
  | { kind: "sparse"; using: string; vector: { indices: number[]; values: number[] }; exclude?: number[] }
  | { kind: "rrf"; k: number; weights: number[] | undefined }
  | { kind: "dbsf" }
  | ({ kind: "order_by" } & OrderBy)
  | { kind: "sample" };

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
      "Bad request: images and objects (inference) are not available in qdrant-local; documents are, for qdrant/bm25 and the dense models it was started with",
    );
  }
  throw formatError(where, "data did not match any variant of untagged enum QueryInterface");
}

/** Reads the `query` of a node (with its `using`). */
export function readQuery(collection: Collection, node: Record<string, unknown>, where: string): QueryKind {
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

export function readLimit(value: unknown, where: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw formatError(where, "expected an unsigned integer");
  if (value === 0)
    throw unprocessable(`Validation error in JSON body: [${where}: value 0 invalid, must be 1 or larger]`);
  return value;
}

export function readThreshold(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number") throw formatError(where, "expected a number");
  return value;
}

export function readOffset(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw formatError(where, "expected an unsigned integer");
  return value;
}

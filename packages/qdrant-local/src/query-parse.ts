import type { Collection } from "./collection.js";
import { badRequest, pointNotFound } from "./errors.js";
import { type OrderBy, readOrderBy } from "./order-by.js";
import { checkDimension, checkSparse, inferenceObjectRefused, isMultiVector } from "./parse-points.js";
import { parsePointId } from "./point-id.js";
import type {
  Prefetch,
  RecommendInput,
  SparseVector,
  VectorInput,
} from "./requests/qdrant-requests.generated.js";
import { isVariant } from "./requests/variant.js";

/** One query of a request (root or prefetch) in checked form. */
export type QueryKind =
  | { kind: "none" }
  | { kind: "dense"; using: string; vector: number[]; exclude?: number[] }
  | { kind: "sparse"; using: string; vector: SparseVector; exclude?: number[] }
  | { kind: "rrf"; k: number; weights: number[] | undefined }
  | { kind: "dbsf" }
  | ({ kind: "order_by" } & OrderBy)
  | { kind: "sample" };

/** `a.b` for a field `b` of the node at `a` (the root is ""). */
export function fieldPath(where: string, field: string): string {
  return where ? `${where}.${field}` : field;
}

function notExistingName(name: string) {
  return badRequest(`Wrong input: Not existing vector name error: ${name}`);
}

/** Turns a vector input (dense list, sparse object, or point id) into a concrete query for vector `using`. */
function readVectorQuery(
  collection: Collection,
  value: VectorInput,
  using: string,
  where: string,
): QueryKind {
  if (typeof value === "string" || typeof value === "number") {
    const id = parsePointId(value, where);
    const point = collection.points.get(id);
    if (!point) throw pointNotFound(id);
    const dense = collection.dense.get(using)?.get(point.slot);
    // As in Qdrant, the point a query is made from is left out of its results.
    if (dense) return { kind: "dense", using, vector: dense, exclude: [point.slot] };
    const sparse = collection.sparse.get(using)?.get(point.slot);
    if (!sparse) throw notExistingName(using);
    const vector = { indices: Array.from(sparse.indices), values: Array.from(sparse.values) };
    return { kind: "sparse", using, vector, exclude: [point.slot] };
  }
  const denseParams = collection.config.vectors[using];
  const sparseParams = collection.config.sparse[using];
  if (Array.isArray(value)) {
    if (isMultiVector(value))
      throw badRequest("Wrong input: multivector queries are not supported by qdrant-local");
    if (denseParams) return { kind: "dense", using, vector: checkDimension(value, denseParams.size) };
    if (!sparseParams) throw notExistingName(using);
    throw badRequest(
      `Wrong input: Conversion between sparse and regular vectors failed (vector \`${using}\` is sparse)`,
    );
  }
  if (!isVariant(value, "SparseVector")) throw inferenceObjectRefused();
  if (sparseParams) return { kind: "sparse", using, vector: checkSparse(value, where) };
  if (!denseParams) throw notExistingName(using);
  throw badRequest(
    `Wrong input: Conversion between sparse and regular vectors failed (vector \`${using}\` is dense)`,
  );
}

const UNSUPPORTED = ["discover", "context", "formula", "relevance_feedback"] as const;

/** Reads the `query` of a node (with its `using`). */
export function readQuery(collection: Collection, node: Prefetch, where: string): QueryKind {
  const q = node.query;
  const using = node.using ?? "";
  if (q === undefined || q === null) return { kind: "none" };
  const at = fieldPath(where, "query");
  // A query is a vector input first (serde's order), then one of the query kinds, in the schema's order.
  if (isVariant(q, "VectorInput")) return readVectorQuery(collection, q, using, at);
  if (isVariant(q, "NearestQuery")) {
    if (q.mmr) throw badRequest("Bad request: MMR is not supported by qdrant-local");
    return readVectorQuery(collection, q.nearest, using, `${at}.nearest`);
  }
  if (isVariant(q, "RecommendQuery")) return readRecommend(collection, q.recommend, using, `${at}.recommend`);
  if (isVariant(q, "OrderByQuery")) return { kind: "order_by", ...readOrderBy(q.order_by, `${at}.order_by`) };
  if (isVariant(q, "FusionQuery"))
    return q.fusion === "rrf" ? { kind: "rrf", k: 2, weights: undefined } : { kind: "dbsf" };
  if (isVariant(q, "RrfQuery")) return { kind: "rrf", k: q.rrf.k ?? 2, weights: q.rrf.weights ?? undefined };
  if (isVariant(q, "SampleQuery")) return { kind: "sample" };
  // Discover, context, formula and relevance feedback queries.
  const kind = UNSUPPORTED.find((k) => k in q);
  throw badRequest(`Bad request: \`${kind}\` queries are not supported by qdrant-local`);
}

/**
 * A recommend query with the average_vector strategy: `2 * avg(positive) - avg(negative)` searched as a dense vector,
 * the example points left out of the results.
 */
function readRecommend(
  collection: Collection,
  spec: RecommendInput,
  using: string,
  where: string,
): QueryKind {
  const strategy = spec.strategy ?? "average_vector";
  if (strategy !== "average_vector") {
    throw badRequest(
      `Bad request: recommend strategy \`${strategy}\` is not supported by qdrant-local (average_vector is)`,
    );
  }
  const params = collection.config.vectors[using];
  const store = collection.dense.get(using);
  if (!params || !store) throw notExistingName(using);
  const exclude: number[] = [];
  const examples = (list: VectorInput[] | null | undefined, at: string): number[][] =>
    (list ?? []).map((item, i) => {
      if (Array.isArray(item) && !isMultiVector(item))
        return Array.from(store.prepareQuery(checkDimension(item, params.size)));
      if (typeof item !== "number" && typeof item !== "string")
        throw badRequest(
          `Bad request: ${at}[${i}]: qdrant-local recommends from point ids and dense vectors`,
        );
      const id = parsePointId(item, `${at}[${i}]`);
      const point = collection.points.get(id);
      if (!point) throw pointNotFound(id);
      const vector = store.get(point.slot);
      if (!vector) throw notExistingName(using);
      exclude.push(point.slot);
      return vector;
    });
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
  if (negative.length === 0) return { kind: "dense", using, vector: pos, exclude };
  const neg = mean(negative);
  return { kind: "dense", using, vector: pos.map((p, i) => p + p - (neg[i] as number)), exclude };
}

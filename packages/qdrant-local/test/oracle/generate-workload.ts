import { createRandom, type Random } from "./random.js";
import { randomFilter, randomPayload } from "./random-payload.js";
import type {
  CollectionJson,
  Distance,
  JsonObject,
  PointIdJson,
  PointJson,
  QueryJson,
  SparseJson,
  Step,
  Workload,
} from "./workload.js";

const DISTANCES: Distance[] = ["Cosine", "Cosine", "Dot", "Euclid", "Manhattan"];
// Dimensions divisible by 8 take the WebAssembly SIMD kernel, the others the JS loop.
const DIMS = [3, 4, 8, 16];
const VOCAB = 24;
const UUIDS = Array.from({ length: 12 }, (_, i) => `0000000${i.toString(16)}-58e4-4d3b-9f6a-1c2d3e4f5a6b`);

interface Context {
  r: Random;
  collection: CollectionJson;
  /** Ids that exist right now (payload updates target only these, as Qdrant 404s on a missing id). */
  live: Set<PointIdJson>;
  idPool: PointIdJson[];
}

function denseVector(r: Random, size: number): number[] {
  return Array.from({ length: size }, () => Math.fround(r.float() * 2 - 1));
}

function sparseVector(r: Random, terms: number): SparseJson {
  const indices = r.some(
    Array.from({ length: VOCAB }, (_, i) => i),
    terms,
  );
  return { indices, values: indices.map(() => Math.fround(0.05 + r.float())) };
}

function randomCollection(r: Random): CollectionJson {
  const vectors: CollectionJson["vectors"] = {};
  for (const name of r.some(["dense", "title"], r.int(1, 2)))
    vectors[name] = { size: r.pick(DIMS), distance: r.pick(DISTANCES) };
  const sparse_vectors: CollectionJson["sparse_vectors"] = {};
  for (const name of r.some(["text", "bm25"], r.int(1, 2)))
    sparse_vectors[name] = r.chance(0.6) ? { modifier: "idf" } : {};
  return { vectors, sparse_vectors };
}

function randomPoint(c: Context, id: PointIdJson): PointJson {
  const vector: PointJson["vector"] = {};
  for (const [name, { size }] of Object.entries(c.collection.vectors))
    if (c.r.chance(0.9)) vector[name] = denseVector(c.r, size);
  for (const name of Object.keys(c.collection.sparse_vectors))
    if (c.r.chance(0.85)) vector[name] = sparseVector(c.r, c.r.int(1, 6));
  return { id, vector, payload: randomPayload(c.r) };
}

function upsert(c: Context, n: number): Step {
  const ids = c.r.some(c.idPool, n);
  for (const id of ids) c.live.add(id);
  return { update: { op: "upsert", points: ids.map((id) => randomPoint(c, id)) } };
}

function randomUpdate(c: Context): Step {
  const live = [...c.live];
  const roll = c.r.int(0, 9);
  if (roll < 3 || live.length < 4) return upsert(c, c.r.int(1, 8));
  const targets = c.r.some(live, c.r.int(1, 4));
  // Qdrant's engine keeps a deleted point in its IDF statistics (N and df) until the segment is vacuumed, which it
  // does not do below 1000 vectors; the local mode forgets it at once. So no deletes where IDF is in play.
  const idf = Object.values(c.collection.sparse_vectors).some((v) => v.modifier === "idf");
  if (idf && (roll === 3 || roll === 7)) return upsert(c, c.r.int(1, 4));
  switch (roll) {
    case 3:
      for (const id of targets) c.live.delete(id);
      return { update: { op: "delete", points: targets } };
    case 4:
      // Sometimes into a nested object by key path (created where missing).
      return c.r.chance(0.3)
        ? {
            update: {
              op: "set_payload",
              points: targets,
              payload: { rank: c.r.int(0, 3), kind: null },
              key: "meta",
            },
          }
        : { update: { op: "set_payload", points: targets, payload: randomPayload(c.r) } };
    case 5:
      return { update: { op: "overwrite_payload", points: targets, payload: randomPayload(c.r) } };
    case 6:
      return {
        update: {
          op: "delete_payload",
          points: targets,
          keys: c.r.some(["city", "price", "tags", "n", "items", "meta.kind", "items[].a"], 2),
        },
      };
    case 7: {
      // The generator tracks which ids exist, so its delete-by-filter selects by has_id.
      for (const id of targets) c.live.delete(id);
      return { update: { op: "delete_by_filter", filter: { must: [{ has_id: targets }] } } };
    }
    default:
      return upsert(c, c.r.int(1, 4)); // overwrites mostly, since the pool is small
  }
}

function maybeFilter(c: Context, p: number): JsonObject | undefined {
  return c.r.chance(p) ? randomFilter(c.r, c.idPool, 1) : undefined;
}

function thresholdFor(c: Context, using: string): number {
  const params = c.collection.vectors[using];
  if (!params) return Math.fround(c.r.float() * 1.5);
  if (params.distance === "Cosine") return Math.fround(c.r.float() * 1.2 - 0.4);
  if (params.distance === "Dot") return Math.fround((c.r.float() - 0.4) * Math.sqrt(params.size));
  return Math.fround(c.r.float() * params.size * 0.6);
}

/** A leaf search: nearest by a dense or sparse vector, with its own limit and sometimes a filter and a threshold. */
function leaf(c: Context, filterP: number): QueryJson {
  const dense = c.r.chance(0.5);
  const names = Object.keys(dense ? c.collection.vectors : c.collection.sparse_vectors);
  const using = c.r.pick(names);
  const size = c.collection.vectors[using]?.size ?? 0;
  const vector = dense ? denseVector(c.r, size) : sparseVector(c.r, c.r.int(1, 5));
  const body: QueryJson = {
    limit: c.r.int(1, 12),
    using,
    query: c.r.chance(0.2) ? { nearest: vector } : vector,
  };
  const filter = maybeFilter(c, filterP);
  if (filter) body.filter = filter;
  if (c.r.chance(0.15)) body.score_threshold = thresholdFor(c, using);
  return body;
}

function fusionQuery(c: Context, sources: number): JsonObject {
  const roll = c.r.int(0, 3);
  if (roll === 0) return { fusion: "rrf" };
  if (roll === 1) return { fusion: "dbsf" };
  const rrf: JsonObject = { k: c.r.pick([1, 2, 3, 10, 60]) };
  if (c.r.chance(0.6)) rrf.weights = Array.from({ length: sources }, () => c.r.pick([-1, 0, 0.5, 1, 1.5, 3]));
  return { rrf };
}

/**
 * A prefetch: mostly leaves; sometimes a nested fusion or a nested rescoring, or a leaf with no query (ids in order).
 * `byRank` says the parent fuses by rank (RRF): then no nested fusion, whose ties (common, and ordered by neither engine)
 * would decide the ranks the parent sees.
 */
function prefetch(c: Context, depth: number, byRank: boolean): QueryJson {
  const roll = c.r.int(0, 9);
  if (depth > 0 && roll === 0 && !byRank) {
    const count = c.r.int(2, 3);
    const query = fusionQuery(c, count);
    const children = Array.from({ length: count }, () =>
      prefetch(c, depth - 1, !("fusion" in query && query.fusion === "dbsf")),
    );
    // No cut inside a nested fusion either: its ties would decide which points the parent sees.
    const limit = children.reduce((sum, child) => sum + child.limit, 0);
    return { prefetch: children, query, limit };
  }
  if (depth > 0 && roll === 1) {
    const rescore = leaf(c, 0);
    return { ...rescore, prefetch: [prefetch(c, depth - 1, false)], limit: c.r.int(1, 10) };
  }
  if (roll === 2) {
    const body: QueryJson = { limit: c.r.int(1, 8) };
    const filter = maybeFilter(c, 0.6);
    if (filter) body.filter = filter;
    return body;
  }
  return leaf(c, 0.3);
}

/**
 * A request both must refuse: a dense vector of the wrong dimension, an unknown vector name, or RRF weights that do not
 * match the prefetches. (Not `limit: 0` or RRF `k: 0`: the server refuses those in its API layer, which Edge skips.)
 */
function invalidQuery(c: Context): QueryJson {
  const [using, params] = c.r.pick(Object.entries(c.collection.vectors));
  const roll = c.r.int(0, 2);
  if (roll === 0) return { limit: 5, using, query: denseVector(c.r, params.size + 1) };
  if (roll === 1) return { limit: 5, using: "missing", query: denseVector(c.r, params.size) };
  return { prefetch: [leaf(c, 0)], query: { rrf: { k: 2, weights: [1, 1] } }, limit: 5 };
}

function randomQuery(c: Context): QueryJson {
  if (c.r.chance(0.03)) return invalidQuery(c);
  const roll = c.r.int(0, 9);
  let body: QueryJson;
  if (roll < 3) body = leaf(c, 0.5);
  else if (roll < 8) {
    const count = c.r.int(1, 3);
    const query = fusionQuery(c, count);
    const sources = Array.from({ length: count }, () =>
      prefetch(c, 2, !("fusion" in query && query.fusion === "dbsf")),
    );
    body = { prefetch: sources, query, limit: c.r.int(1, 15) };
    if (c.r.chance(0.2)) body.score_threshold = c.r.pick([0.25, 0.5, 0.8, 1, Math.fround(1 / 3)]);
    const filter = maybeFilter(c, 0.3);
    if (filter) body.filter = filter;
  } else if (roll === 8) {
    body = { ...leaf(c, 0.3), prefetch: [prefetch(c, 1, false), prefetch(c, 1, false)] };
  } else {
    body = { limit: c.r.int(1, 15) };
    const filter = maybeFilter(c, 0.8);
    if (filter) body.filter = filter;
  }
  if (c.r.chance(0.3)) body.offset = c.r.int(1, 5);
  return body;
}

/** A seeded workload: a collection, an initial load, then updates and queries interleaved. */
export function generateWorkload(seed: number, queries = 25): Workload {
  const r = createRandom(seed);
  const collection = randomCollection(r);
  const idPool: PointIdJson[] = [
    ...Array.from({ length: r.int(20, 60) }, (_, i) => i + 1),
    ...r.some(UUIDS, r.int(0, 6)),
  ];
  const c: Context = { r, collection, live: new Set(), idPool };
  const steps: Step[] = [upsert(c, r.int(10, idPool.length))];
  let asked = 0;
  while (asked < queries) {
    if (asked === Math.floor(queries / 2) && r.chance(0.5)) steps.push({ retrieve: [...idPool] });
    if (r.chance(0.3)) steps.push(randomUpdate(c));
    else {
      steps.push({ query: randomQuery(c) });
      asked++;
    }
  }
  steps.push({ retrieve: [...idPool] });
  return { id: `w${seed}`, collection, steps };
}

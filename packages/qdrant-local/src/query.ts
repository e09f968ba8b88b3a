import type { Collection, StoredPoint } from "./collection.js";
import { badRequest } from "./errors.js";
import { compileFilter } from "./filter.js";
import { mergeFilters } from "./filter-merge.js";
import { fuseDbsf, fuseRrf } from "./fusion.js";
import { type Hit, type OrderBy, orderPoints } from "./order-by.js";
import { fieldPath, type QueryKind, readQuery } from "./query-parse.js";
import type { Filter, Prefetch, SparseVector as SparseInput } from "./requests/qdrant-requests.generated.js";
import type { SparseVector } from "./sparse-index.js";
import { higherIsBetter } from "./vectors.js";

export type { Hit } from "./order-by.js";

const MAX_PREFETCH_DEPTH = 64;

/** Evaluates Qdrant's universal query over one collection; every part of the request is checked before any search runs. */
export class QueryEvaluator {
  constructor(private readonly collection: Collection) {}

  private accept(filter: Filter | null | undefined, where: string): ((slot: number) => boolean) | undefined {
    if (filter === undefined || filter === null) return undefined;
    const predicate = compileFilter(filter, where, this.collection);
    const slots = this.collection.slots;
    return (slot) => {
      const point = slots[slot];
      return point !== undefined && predicate(point);
    };
  }

  /**
   * Runs one query node (the root, with its `offset`, or a prefetch) and returns its ranked hits. The schema has
   * checked the node; what is checked here is what depends on the collection or on the parts together.
   */
  run(node: Prefetch, where: string, parentFilter?: Filter | null, offset = 0, depth = 0): Hit[] {
    if (depth > MAX_PREFETCH_DEPTH) throw badRequest("Bad request: prefetch nesting is too deep");
    const collection = this.collection;
    const query = readQuery(collection, node, where);
    const filter = mergeFilters(parentFilter, node.filter);
    const limit = node.limit ?? 10;
    const threshold = node.score_threshold ?? undefined;
    const prefetchList = node.prefetch ? [node.prefetch].flat() : [];
    const wanted = limit + offset;
    if (threshold !== undefined && query.kind === "none") {
      throw badRequest(
        "Bad request: A query is needed to use the score_threshold. Can't have score_threshold without defining a query.",
      );
    }
    if (threshold !== undefined && query.kind === "order_by") {
      throw badRequest("Bad request: Can't use score_threshold with an order_by query.");
    }
    const filtered = this.accept(filter, fieldPath(where, "filter"));
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
        this.run(p, `${fieldPath(where, "prefetch")}[${i}]`, filter, 0, depth + 1),
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
        // Qdrant applies a node's filter only in its leaves, merged with theirs (filter-merge.ts), never when rescoring:
        // as the merge concatenates `should` lists, a point may pass a leaf that this node's filter alone would refuse.
        const notExcluded = excluded === undefined ? undefined : (slot: number) => !excluded.has(slot);
        hits = this.rescore(query, [...candidates], threshold, notExcluded);
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
          this.sortByScore(hits, higherIsBetter(store.distance)),
          threshold,
          higherIsBetter(store.distance),
        ).slice(offset, wanted);
      }
      case "sparse": {
        const index = collection.sparse.get(query.using);
        if (!index) throw badRequest(`Wrong input: Not existing vector name error: ${query.using}`);
        const hits = index.search(toSparse(query.vector), wanted, accept);
        return this.cut(this.sortByScore(hits, true), threshold, true).slice(offset, wanted);
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

  /** Points passing a filter, in id order, scored 1 as Qdrant scores a scroll inside the query API (a query without `query`). */
  private matching(accept: ((slot: number) => boolean) | undefined): Hit[] {
    const out: Hit[] = [];
    for (const id of this.collection.orderedIds()) {
      const point = this.collection.points.get(id) as StoredPoint;
      if (accept === undefined || accept(point.slot)) out.push({ slot: point.slot, score: 1 });
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
        // As in a sparse search, a point sharing no index with the query is not a hit (Qdrant's engine drops it).
        const score = index.score(slot, sv);
        if (score !== undefined && index.sharesIndex(slot, sv)) hits.push({ slot, score });
      }
      return this.cut(this.sortByScore(hits, true), threshold, true);
    }
    if (query.kind === "order_by") {
      const set = new Set(pass);
      return this.orderBy(query, (s) => set.has(s));
    }
    if (query.kind === "sample") return pass.map((slot) => ({ slot, score: 1 }));
    return this.sortByScore(
      pass.map((slot) => ({ slot, score: 0 })),
      true,
    );
  }
}

function toSparse(v: SparseInput): SparseVector {
  return { indices: Uint32Array.from(v.indices), values: Float32Array.from(v.values) };
}

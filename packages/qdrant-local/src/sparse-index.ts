import { TopK } from "./top-k.js";

export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

/** The points holding one index, with their weights: typed arrays grown by doubling (8 bytes an entry). */
class Posting {
  slots = new Int32Array(4);
  values = new Float32Array(4);
  length = 0;

  push(slot: number, value: number): void {
    if (this.length === this.slots.length) {
      const slots = new Int32Array(this.length * 2);
      slots.set(this.slots);
      const values = new Float32Array(this.length * 2);
      values.set(this.values);
      this.slots = slots;
      this.values = values;
    }
    this.slots[this.length] = slot;
    this.values[this.length] = value;
    this.length++;
  }

  /** Swap-removes a slot's entry; order within a posting does not matter. */
  remove(slot: number): void {
    for (let i = this.length - 1; i >= 0; i--) {
      if (this.slots[i] !== slot) continue;
      const last = this.length - 1;
      this.slots[i] = this.slots[last] as number;
      this.values[i] = this.values[last] as number;
      this.length = last;
      return;
    }
  }
}

/** One named sparse vector of a collection: vectors per slot plus an inverted index (postings double as document frequencies). */
export class SparseIndex {
  readonly vectors: Array<SparseVector | undefined> = [];
  private readonly postings = new Map<number, Posting>();
  /** Points holding a non-empty vector of this name (the N of IDF). */
  nonEmpty = 0;
  count = 0;
  /** Scratch for searches: per-slot sums and a mark of the slots touched. */
  private acc = new Float32Array(0);
  private seen = new Uint8Array(0);

  constructor(public idf: boolean) {}

  set(slot: number, vector: SparseVector): void {
    this.delete(slot);
    this.vectors[slot] = vector;
    this.count++;
    if (vector.indices.length > 0) this.nonEmpty++;
    for (let i = 0; i < vector.indices.length; i++) {
      const index = vector.indices[i] as number;
      let posting = this.postings.get(index);
      if (!posting) {
        posting = new Posting();
        this.postings.set(index, posting);
      }
      posting.push(slot, vector.values[i] as number);
    }
  }

  has(slot: number): boolean {
    return this.vectors[slot] !== undefined;
  }

  get(slot: number): SparseVector | undefined {
    return this.vectors[slot];
  }

  delete(slot: number): void {
    const old = this.vectors[slot];
    if (!old) return;
    this.vectors[slot] = undefined;
    this.count--;
    if (old.indices.length > 0) this.nonEmpty--;
    for (const index of old.indices) {
      const posting = this.postings.get(index);
      if (!posting) continue;
      posting.remove(slot);
      if (posting.length === 0) this.postings.delete(index);
    }
  }

  /** Qdrant's IDF: ln((N - df + 0.5) / (df + 0.5) + 1), in f32. */
  idfOf(index: number): number {
    const df = this.postings.get(index)?.length ?? 0;
    const n = this.nonEmpty;
    return Math.fround(Math.log((n - df + 0.5) / (df + 0.5) + 1));
  }

  /** Query weights, multiplied by IDF when the vector is configured with `modifier: idf`. */
  private weights(query: SparseVector): Float32Array {
    const w = Float32Array.from(query.values);
    if (this.idf)
      for (let i = 0; i < w.length; i++)
        w[i] = Math.fround((w[i] as number) * this.idfOf(query.indices[i] as number));
    return w;
  }

  /** Score of one stored vector against a query (0 when they share no index). */
  /** True when the point's vector holds at least one of the query's indices. */
  sharesIndex(slot: number, query: SparseVector): boolean {
    const stored = this.vectors[slot];
    if (!stored) return false;
    for (const i of query.indices) if (stored.indices.includes(i)) return true;
    return false;
  }

  score(slot: number, query: SparseVector): number | undefined {
    const stored = this.vectors[slot];
    if (!stored) return undefined;
    const w = this.weights(query);
    let sum = 0;
    let shared = false;
    for (let i = 0; i < query.indices.length; i++) {
      const at = stored.indices.indexOf(query.indices[i] as number);
      if (at >= 0) {
        shared = true;
        sum += (w[i] as number) * (stored.values[at] as number);
      }
    }
    return shared ? Math.fround(sum) : 0;
  }

  /**
   * Top-k by dot product over the postings of the query's indices; only points sharing an index are candidates.
   * Sums go into a dense f32 accumulator (as Qdrant sums in f32); the filter runs only for candidates that would enter the heap.
   */
  search(
    query: SparseVector,
    k: number,
    accept: ((slot: number) => boolean) | undefined,
  ): Array<{ slot: number; score: number }> {
    const w = this.weights(query);
    const size = this.vectors.length;
    if (this.acc.length < size) {
      this.acc = new Float32Array(Math.max(size, this.acc.length * 2));
      this.seen = new Uint8Array(this.acc.length);
    }
    const { acc, seen } = this;
    const touched: number[] = [];
    for (let i = 0; i < query.indices.length; i++) {
      const posting = this.postings.get(query.indices[i] as number);
      if (!posting) continue;
      const weight = w[i] as number;
      const { slots, values, length } = posting;
      for (let j = 0; j < length; j++) {
        const slot = slots[j] as number;
        if (seen[slot] === 0) {
          seen[slot] = 1;
          acc[slot] = 0;
          touched.push(slot);
        }
        acc[slot] = (acc[slot] as number) + weight * (values[j] as number);
      }
    }
    const heap = new TopK(Math.min(k, touched.length));
    for (const slot of touched) {
      seen[slot] = 0;
      const score = acc[slot] as number;
      if (score <= heap.floor) continue;
      if (accept !== undefined && !accept(slot)) continue;
      heap.push(slot, score);
    }
    return heap.sorted().map(({ slot, key }) => ({ slot, score: key }));
  }

  bytes(): number {
    let total = 0;
    for (const v of this.vectors) if (v) total += v.indices.byteLength + v.values.byteLength + 64;
    for (const p of this.postings.values()) total += p.slots.byteLength + p.values.byteLength + 64;
    return total;
  }
}

import { TopK } from "./top-k.js";
import { type Distance, dotAt, euclidAt, higherIsBetter, manhattanAt, normalizeInPlace } from "./vectors.js";

/** One named dense vector of a collection: vectors in one Float32Array, row `slot` for the point in that slot. */
export class DenseStore {
  data: Float32Array;
  present: Uint8Array;
  count = 0;

  constructor(
    readonly dim: number,
    readonly distance: Distance,
    capacity = 64,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.present = new Uint8Array(capacity);
  }

  private ensure(slot: number): void {
    if (slot < this.present.length) return;
    let capacity = this.present.length * 2;
    while (capacity <= slot) capacity *= 2;
    const data = new Float32Array(capacity * this.dim);
    data.set(this.data);
    const present = new Uint8Array(capacity);
    present.set(this.present);
    this.data = data;
    this.present = present;
  }

  /** Stores a vector (already checked for length); Cosine vectors are normalised first. */
  set(slot: number, vector: ArrayLike<number>): void {
    this.ensure(slot);
    const row = this.data.subarray(slot * this.dim, (slot + 1) * this.dim);
    row.set(vector);
    if (this.distance === "Cosine") normalizeInPlace(row);
    if (this.present[slot] === 0) this.count++;
    this.present[slot] = 1;
  }

  has(slot: number): boolean {
    return this.present[slot] === 1;
  }

  delete(slot: number): void {
    if (slot < this.present.length && this.present[slot] === 1) {
      this.present[slot] = 0;
      this.count--;
    }
  }

  get(slot: number): number[] | undefined {
    if (!this.has(slot)) return undefined;
    return Array.from(this.data.subarray(slot * this.dim, (slot + 1) * this.dim));
  }

  /** Prepares a query vector: a Float32Array copy, normalised for Cosine. */
  prepareQuery(vector: ArrayLike<number>): Float32Array {
    const q = Float32Array.from(vector as ArrayLike<number>);
    return this.distance === "Cosine" ? normalizeInPlace(q) : q;
  }

  /** Raw score of one stored vector against a prepared query (similarity, or distance for Euclid/Manhattan). */
  score(slot: number, q: Float32Array): number {
    const off = slot * this.dim;
    switch (this.distance) {
      case "Cosine":
      case "Dot":
        return Math.fround(dotAt(this.data, off, q, this.dim));
      case "Euclid":
        return Math.fround(euclidAt(this.data, off, q, this.dim));
      case "Manhattan":
        return Math.fround(manhattanAt(this.data, off, q, this.dim));
    }
  }

  /**
   * Exact top-k over slots [0, end): `accept(slot)` filters (called only for present rows), results are raw scores.
   * Keys in the heap are scores for similarities and negated distances, so "higher is better" holds for the heap.
   */
  search(
    q: Float32Array,
    k: number,
    end: number,
    accept: ((slot: number) => boolean) | undefined,
  ): Array<{ slot: number; score: number }> {
    const heap = new TopK(Math.min(k, this.count));
    const { data, dim, present } = this;
    const limit = Math.min(end, present.length);
    const sign = higherIsBetter(this.distance) ? 1 : -1;
    const isDot = this.distance === "Cosine" || this.distance === "Dot";
    if (isDot) {
      for (let slot = 0, off = 0; slot < limit; slot++, off += dim) {
        if (present[slot] === 0) continue;
        if (accept !== undefined && !accept(slot)) continue;
        heap.push(slot, dotAt(data, off, q, dim));
      }
    } else {
      for (let slot = 0; slot < limit; slot++) {
        if (present[slot] === 0) continue;
        if (accept !== undefined && !accept(slot)) continue;
        heap.push(slot, sign * this.score(slot, q));
      }
    }
    return heap.sorted().map(({ slot, key }) => ({ slot, score: Math.fround(sign * key) }));
  }

  /** Bytes held by the vectors of this store (capacity, not just used rows). */
  bytes(): number {
    return this.data.byteLength + this.present.byteLength;
  }
}

/// <reference path="./webassembly.d.ts" />
import { instantiateScan, type ScanFn } from "./simd-scan.js";
import { TopK } from "./top-k.js";
import { type Distance, dotAt, euclidAt, higherIsBetter, manhattanAt, normalizeInPlace } from "./vectors.js";

const PAGE = 65536;

/**
 * One named dense vector of a collection: vectors in one Float32Array, row `slot` for the point in that slot.
 * For Dot/Cosine with a dimension divisible by 8 the rows live in a WebAssembly memory and searches run the SIMD kernel
 * (simd-scan.ts) over all rows, then a top-k pass in JS; otherwise a plain JS loop scores row by row.
 */
export class DenseStore {
  data: Float32Array;
  present: Uint8Array;
  count = 0;
  private capacity: number;
  private memory: WebAssembly.Memory | undefined;
  private scan: ScanFn | null = null;

  constructor(
    readonly dim: number,
    readonly distance: Distance,
    capacity = 64,
  ) {
    this.capacity = capacity;
    this.present = new Uint8Array(capacity);
    if ((distance === "Dot" || distance === "Cosine") && dim % 8 === 0) {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(this.bytesFor(capacity) / PAGE) });
      const scan = instantiateScan(memory);
      if (scan) {
        this.memory = memory;
        this.scan = scan;
      }
    }
    this.data = this.memory
      ? new Float32Array(this.memory.buffer, 0, capacity * dim)
      : new Float32Array(capacity * dim);
  }

  /** Kernel memory for `capacity` rows: the rows, then one query row, then one score per row. */
  private bytesFor(capacity: number): number {
    return capacity * this.dim * 4 + this.dim * 4 + capacity * 4;
  }

  private ensure(slot: number): void {
    if (slot < this.capacity) return;
    // Rows are the bulk of a point's memory, so the slack is kept small: a WebAssembly memory grows in place (1.25x),
    // a plain array is copied (1.5x).
    const factor = this.memory ? 1.25 : 1.5;
    let capacity = Math.ceil(this.capacity * factor);
    while (capacity <= slot) capacity = Math.ceil(capacity * factor);
    if (this.memory) {
      const needed = Math.ceil(this.bytesFor(capacity) / PAGE) - this.memory.buffer.byteLength / PAGE;
      try {
        if (needed > 0) this.memory.grow(needed);
        this.data = new Float32Array(this.memory.buffer, 0, capacity * this.dim);
      } catch {
        // Past what a WebAssembly memory can hold: keep going with a plain array and the JS loop.
        const data = new Float32Array(capacity * this.dim);
        data.set(this.data);
        this.data = data;
        this.memory = undefined;
        this.scan = null;
      }
    } else {
      const data = new Float32Array(capacity * this.dim);
      data.set(this.data);
      this.data = data;
    }
    const present = new Uint8Array(capacity);
    present.set(this.present);
    this.present = present;
    this.capacity = capacity;
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

  /** The stored row itself (a view, not a copy), or undefined. */
  row(slot: number): Float32Array | undefined {
    if (!this.has(slot)) return undefined;
    return this.data.subarray(slot * this.dim, (slot + 1) * this.dim);
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
    const limit = Math.min(end, this.capacity);
    const sign = higherIsBetter(this.distance) ? 1 : -1;
    const isDot = this.distance === "Cosine" || this.distance === "Dot";
    if (this.memory && this.scan) {
      const queryOffset = this.capacity * dim * 4;
      const outOffset = queryOffset + dim * 4;
      const buffer = this.memory.buffer;
      new Float32Array(buffer, queryOffset, dim).set(q);
      this.scan(0, queryOffset, outOffset, dim, limit);
      const scores = new Float32Array(buffer, outOffset, limit);
      // The filter runs only for rows good enough to enter the heap.
      for (let slot = 0; slot < limit; slot++) {
        if (present[slot] === 0) continue;
        const score = scores[slot] as number;
        if (score <= heap.floor) continue;
        if (accept !== undefined && !accept(slot)) continue;
        heap.push(slot, score);
      }
    } else if (isDot) {
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
    return (this.memory ? this.memory.buffer.byteLength : this.data.byteLength) + this.present.byteLength;
  }
}

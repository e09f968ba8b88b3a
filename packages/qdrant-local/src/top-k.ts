/**
 * Keeps the `k` best (slot, score) pairs seen, "best" meaning highest `key`. A binary min-heap over parallel typed arrays:
 * the root is the worst kept entry, so a candidate is compared with one number before anything moves.
 */
export class TopK {
  readonly keys: Float64Array;
  readonly slots: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.keys = new Float64Array(Math.max(1, k));
    this.slots = new Int32Array(Math.max(1, k));
  }

  /** The key a candidate must beat to enter once full; -Infinity until then. */
  get floor(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : (this.keys[0] as number);
  }

  push(slot: number, key: number): void {
    const { keys, slots } = this;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if ((keys[parent] as number) <= key) break;
        keys[i] = keys[parent] as number;
        slots[i] = slots[parent] as number;
        i = parent;
      }
      keys[i] = key;
      slots[i] = slot;
      return;
    }
    if (this.k === 0 || key <= (keys[0] as number)) return;
    const n = this.size;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (keys[right] as number) < (keys[left] as number) ? right : left;
      if ((keys[child] as number) >= key) break;
      keys[i] = keys[child] as number;
      slots[i] = slots[child] as number;
      i = child;
    }
    keys[i] = key;
    slots[i] = slot;
  }

  /** Kept entries, best first (ties: lower slot first). */
  sorted(): Array<{ slot: number; key: number }> {
    const out: Array<{ slot: number; key: number }> = [];
    for (let i = 0; i < this.size; i++)
      out.push({ slot: this.slots[i] as number, key: this.keys[i] as number });
    out.sort((a, b) => b.key - a.key || a.slot - b.slot);
    return out;
  }
}

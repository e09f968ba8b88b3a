/** Limits of one `session.run`. */
export interface BatchLimits {
  /** Texts per batch. */
  maxBatch: number;
  /** batch x padded length; bounds the memory of the model's activations and outputs. */
  maxTokens: number;
}

export interface PaddedBatch {
  /** Positions in the caller's input of the rows of this batch, in row order. */
  positions: number[];
  ids: BigInt64Array;
  mask: BigInt64Array;
  batch: number;
  seq: number;
}

/**
 * Groups texts of similar length: sorts by token count (longest first), then cuts runs that fit the limits. Each batch
 * is padded only to its own longest text, so short texts do not pay for long ones.
 */
export function planBatches(lengths: readonly number[], limits: BatchLimits): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[b] ?? 0) - (lengths[a] ?? 0) || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const position of order) {
    const length = lengths[position] ?? 0;
    const width = Math.max(longest, length);
    if (
      current.length > 0 &&
      (current.length >= limits.maxBatch || (current.length + 1) * width > limits.maxTokens)
    ) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(position);
    longest = Math.max(longest, length);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Right-pads the token ids of `positions` to their longest, with an attention mask of 1 on real tokens. */
export function padBatch(
  tokens: readonly (readonly number[])[],
  positions: number[],
  padId: number,
): PaddedBatch {
  const rows = positions.map((p) => tokens[p] ?? []);
  const seq = Math.max(1, ...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * seq).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * seq);
  rows.forEach((row, r) => {
    const base = r * seq;
    for (let t = 0; t < row.length; t++) {
      ids[base + t] = BigInt(row[t] ?? padId);
      mask[base + t] = 1n;
    }
  });
  return { positions, ids, mask, batch: rows.length, seq };
}

export type Distance = "Cosine" | "Dot" | "Euclid" | "Manhattan";

const F32_EPSILON = 1.1920929e-7;

/** Normalises in place as Qdrant does for Cosine: left as is when the squared length is ~0 or already ~1. */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i] as number) * (v[i] as number);
  sq = Math.fround(sq);
  if (sq < F32_EPSILON || Math.abs(sq - 1) <= 1e-6) return v;
  const inv = 1 / Math.sqrt(sq);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * inv;
  return v;
}

/** True when a larger score is better (similarities), false for distances. */
export function higherIsBetter(distance: Distance): boolean {
  return distance === "Cosine" || distance === "Dot";
}

export function similarity(
  distance: Distance,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  dim: number,
): number {
  switch (distance) {
    case "Cosine":
    case "Dot":
      return dotAt(a, aOff, b, dim);
    case "Euclid":
      return euclidAt(a, aOff, b, dim);
    case "Manhattan":
      return manhattanAt(a, aOff, b, dim);
  }
}

/** Dot product of `a[off .. off+dim)` and `b[0 .. dim)`, four lanes to let the JIT pipeline. */
export function dotAt(a: Float32Array, off: number, b: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    s0 += (a[off + i] as number) * (b[i] as number);
    s1 += (a[off + i + 1] as number) * (b[i + 1] as number);
    s2 += (a[off + i + 2] as number) * (b[i + 2] as number);
    s3 += (a[off + i + 3] as number) * (b[i + 3] as number);
  }
  for (; i < dim; i++) s0 += (a[off + i] as number) * (b[i] as number);
  return s0 + s1 + s2 + s3;
}

export function euclidAt(a: Float32Array, off: number, b: Float32Array, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const d = (a[off + i] as number) - (b[i] as number);
    s += d * d;
  }
  return Math.sqrt(s);
}

export function manhattanAt(a: Float32Array, off: number, b: Float32Array, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) s += Math.abs((a[off + i] as number) - (b[i] as number));
  return s;
}

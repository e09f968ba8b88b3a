/** Seeded data for the benchmark: deterministic dense vectors, Zipf-like sparse vectors and small payloads. */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function denseVector(rand: () => number, dim: number): number[] {
  const v = new Array<number>(dim);
  let sq = 0;
  for (let i = 0; i < dim; i++) {
    const x = rand() * 2 - 1;
    v[i] = x;
    sq += x * x;
  }
  const inv = 1 / Math.sqrt(sq);
  for (let i = 0; i < dim; i++) v[i] = Math.fround((v[i] as number) * inv);
  return v;
}

const VOCAB = 30_000;

/** About `terms` distinct indices drawn with a Zipf-like skew (frequent low ids), weights like BM25 term weights. */
export function sparseVector(rand: () => number, terms: number): { indices: number[]; values: number[] } {
  const set = new Set<number>();
  while (set.size < terms) set.add(Math.floor(VOCAB ** rand()) - 1);
  const indices = [...set];
  return { indices, values: indices.map(() => Math.fround(0.5 + rand() * 2)) };
}

export function payloadOf(i: number): Record<string, unknown> {
  return { category: `c${i % 10}`, year: 2000 + (i % 25), title: `document ${i}` };
}

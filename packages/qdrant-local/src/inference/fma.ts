/**
 * `a * b + c` rounded once, like Rust's `f64::mul_add`. Qdrant's BM25 weight uses `mul_add`; rounding twice (plain JS
 * arithmetic) can differ in the last bit of the f64, and rarely in the f32 that is stored. Exact through BigInt: each
 * double is an integer times a power of two, the sum is formed exactly, and `Number(bigint)` rounds to nearest even.
 */
export function fusedMultiplyAdd(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  if (a === 0 || b === 0 || c === 0) return a * b + c; // one rounding (or none) already
  const x = split(a);
  const y = split(b);
  const z = split(c);
  const productExp = x.exp + y.exp;
  const product = x.mantissa * y.mantissa;
  const exp = Math.min(productExp, z.exp);
  const sum = (product << BigInt(productExp - exp)) + (z.mantissa << BigInt(z.exp - exp));
  if (sum === 0n) return 0;
  return scale(Number(sum), exp);
}

const view = new DataView(new ArrayBuffer(8));

/** A finite non-zero double as mantissa * 2^exp, mantissa a signed BigInt. */
function split(value: number): { mantissa: bigint; exp: number } {
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  return { mantissa: negative ? -mantissa : mantissa, exp };
}

/** value * 2^exp in steps that cannot overflow or underflow on the way (the result itself is in range here). */
function scale(value: number, exp: number): number {
  let out = value;
  let left = exp;
  while (left < -1000) {
    out *= 2 ** -1000;
    left += 1000;
  }
  while (left > 1000) {
    out *= 2 ** 1000;
    left -= 1000;
  }
  return out * 2 ** left;
}

/// <reference path="./webassembly.d.ts" />
/**
 * A WebAssembly SIMD kernel for exact dot-product scans: `scan(vectors, query, out, dim, count)` writes
 * `out[i] = dot(vectors[i], query)` for `count` rows of `dim` f32 (dim a multiple of 8), two f32x4 accumulators per row.
 * The module is assembled here from its bytes (no toolchain needed) and each store gets an instance over its own memory.
 */

const SIMD = 0xfd;
const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const str = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
const i32 = (n: number) => [0x41, ...leb(n)];
const v128Load = (offset: number) => [SIMD, 0x00, 4, ...leb(offset)];
const v128Zero = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const f32x4Add = [SIMD, ...leb(228)];
const f32x4Mul = [SIMD, ...leb(230)];
const lane = (l: number) => [SIMD, 0x1f, l];
const ADD = 0x6a;
const SHL = 0x74;
const LT_U = 0x49;
const EQZ = 0x45;
const F32_ADD = 0x92;

// params: 0 vectors, 1 query, 2 out, 3 dim, 4 count; locals: 5 row, 6 j, 7 rowBytes, 8 acc, 9 acc2
const body = [
  ...[2, 3, 0x7f, 2, 0x7b], // locals: 3 x i32, 2 x v128
  ...get(3),
  ...i32(2),
  SHL,
  ...set(7),
  0x02,
  0x40, // block
  ...get(4),
  EQZ,
  0x0d,
  0, // if count == 0 leave
  0x03,
  0x40, // loop rows
  ...v128Zero,
  ...set(8),
  ...v128Zero,
  ...set(9),
  ...i32(0),
  ...set(6),
  0x03,
  0x40, // loop inner
  ...get(8),
  ...get(0),
  ...get(6),
  ADD,
  ...v128Load(0),
  ...get(1),
  ...get(6),
  ADD,
  ...v128Load(0),
  ...f32x4Mul,
  ...f32x4Add,
  ...set(8),
  ...get(9),
  ...get(0),
  ...get(6),
  ADD,
  ...v128Load(16),
  ...get(1),
  ...get(6),
  ADD,
  ...v128Load(16),
  ...f32x4Mul,
  ...f32x4Add,
  ...set(9),
  ...get(6),
  ...i32(32),
  ADD,
  ...tee(6),
  ...get(7),
  LT_U,
  0x0d,
  0,
  0x0b, // end inner
  ...get(2),
  ...get(5),
  ...i32(2),
  SHL,
  ADD,
  ...get(8),
  ...get(9),
  ...f32x4Add,
  ...tee(8),
  ...lane(0),
  ...get(8),
  ...lane(1),
  F32_ADD,
  ...get(8),
  ...lane(2),
  F32_ADD,
  ...get(8),
  ...lane(3),
  F32_ADD,
  0x38,
  2,
  0, // f32.store align=4 offset=0
  ...get(0),
  ...get(7),
  ADD,
  ...set(0),
  ...get(5),
  ...i32(1),
  ADD,
  ...tee(5),
  ...get(4),
  LT_U,
  0x0d,
  0,
  0x0b, // end rows
  0x0b, // end block
  0x0b, // end function
];

const BYTES = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
  ...section(2, [1, ...str("env"), ...str("memory"), 0x02, 0x00, 0x00]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...str("scan"), 0x00, 0]),
  ...section(10, [1, ...leb(body.length), ...body]),
]);

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable (callers fall back to the JS loop). */
export function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(BYTES);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export type ScanFn = (vectors: number, query: number, out: number, dim: number, count: number) => void;

/** Instantiates the kernel over a memory; null when SIMD is unavailable. */
export function instantiateScan(memory: WebAssembly.Memory): ScanFn | null {
  const module = simdModule();
  if (!module) return null;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports.scan as ScanFn;
}

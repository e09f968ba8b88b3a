import { writeFileSync } from "node:fs";
import path from "node:path";

/** The bytes of a float32 C-order `.npy` matrix, as `numpy.save` writes it (format 1.0, header padded to 64). */
export function npyBytes(rows: number[][], cols: number): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${cols}), }`;
  header += " ".repeat(63 - ((10 + header.length) % 64));
  header += "\n";
  const start = Buffer.alloc(10);
  Buffer.from("\x93NUMPY", "latin1").copy(start);
  start[6] = 1;
  start[7] = 0;
  start.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(rows.length * cols * 4);
  rows.forEach((row, r) => {
    row.forEach((x, c) => {
      data.writeFloatLE(x, (r * cols + c) * 4);
    });
  });
  return Buffer.concat([start, Buffer.from(header, "latin1"), data]);
}

/**
 * Writes a vector set in the first tutorial's layout into `dir`: `dense_vectors.npy` (n × dim unit vectors),
 * `sparse_vectors.json` and `payload.json` (`{id, name, description}`), and returns what it wrote.
 */
export function writeVectorSet(dir: string, n: number, dim: number) {
  const dense = Array.from({ length: n }, (_, i) => {
    const raw = Array.from({ length: dim }, (_, d) => Math.sin(i * 13 + d) + (d === i % dim ? 2 : 0));
    const norm = Math.hypot(...raw);
    return raw.map((x) => Math.fround(x / norm));
  });
  const sparse = Array.from({ length: n }, (_, i) => ({ indices: [i, 100 + i], values: [0.5, 1 + i / 8] }));
  const payload = Array.from({ length: n }, (_, i) => ({
    id: `startup-${i}`,
    name: `Startup ${i}`,
    description: `Startup ${i} builds tools for ${i % 2 ? "search" : "storage"}.`,
  }));
  writeFileSync(path.join(dir, "dense_vectors.npy"), npyBytes(dense, dim));
  writeFileSync(path.join(dir, "sparse_vectors.json"), JSON.stringify(sparse));
  writeFileSync(path.join(dir, "payload.json"), JSON.stringify(payload));
  return { dense, sparse, payload };
}

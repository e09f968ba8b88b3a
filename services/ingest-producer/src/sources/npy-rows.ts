import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { AppError } from "@hybrid/service-kit";

/** The header of a NumPy `.npy` file holding a 2-D float matrix: rows, columns, element size, where data starts. */
export interface NpyMatrix {
  rows: number;
  cols: number;
  dtype: "<f4" | "<f8";
  dataOffset: number;
}

/**
 * Reads an `.npy` header (format versions 1-3: magic, version, header length, a Python dict literal). Only C-order
 * little-endian float32/float64 matrices are taken; anything else is a BAD_REQUEST naming the file and what it holds.
 */
export async function readNpyHeader(file: string, name: string): Promise<NpyMatrix> {
  const handle = await open(file, "r");
  try {
    const start = Buffer.alloc(12);
    await handle.read(start, 0, 12, 0);
    if (start.subarray(0, 6).toString("latin1") !== "\x93NUMPY") throw badNpy(name, "it is not a .npy file");
    const major = start[6] ?? 0;
    const headerLength = major === 1 ? start.readUInt16LE(8) : start.readUInt32LE(8);
    const headerStart = major === 1 ? 10 : 12;
    // numpy writes headers of a few hundred bytes; a larger length is a damaged file, not something to allocate.
    if (major < 1 || major > 3 || headerLength > 65_536) throw badNpy(name, "its header is damaged");
    const header = Buffer.alloc(headerLength);
    await handle.read(header, 0, headerLength, headerStart);
    const text = header.toString("latin1");
    const dtype = /'descr':\s*'([^']+)'/.exec(text)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
    const shape = /'shape':\s*\((\d+),\s*(\d+),?\s*\)/.exec(text);
    if (dtype !== "<f4" && dtype !== "<f8")
      throw badNpy(name, `its elements are ${dtype ?? "unknown"}, not float32 (<f4)`);
    if (fortran !== "False") throw badNpy(name, "it is in Fortran order; save it in C order");
    if (!shape) throw badNpy(name, "it is not a 2-D matrix (one row per point)");
    return { rows: Number(shape[1]), cols: Number(shape[2]), dtype, dataOffset: headerStart + headerLength };
  } finally {
    await handle.close();
  }
}

/** The matrix's rows in order, streamed (one read buffer at a time), as plain number arrays. */
export async function* readNpyRows(
  file: string,
  name: string,
  matrix: NpyMatrix,
  onBytes: (n: number) => void,
): AsyncGenerator<number[]> {
  const size = matrix.dtype === "<f4" ? 4 : 8;
  const rowBytes = matrix.cols * size;
  let pending: Buffer = Buffer.alloc(0);
  let emitted = 0;
  const stream = createReadStream(file, {
    start: matrix.dataOffset,
    highWaterMark: Math.max(rowBytes, 256 * 1024),
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    for (; at + rowBytes <= pending.length && emitted < matrix.rows; at += rowBytes, emitted++) {
      const row = new Array<number>(matrix.cols);
      for (let c = 0; c < matrix.cols; c++) {
        row[c] = size === 4 ? pending.readFloatLE(at + c * 4) : pending.readDoubleLE(at + c * 8);
      }
      yield row;
    }
    pending = pending.subarray(at);
  }
  if (emitted < matrix.rows) throw badNpy(name, `it ends after ${emitted} of its ${matrix.rows} rows`);
}

function badNpy(name: string, why: string): AppError {
  return new AppError("BAD_REQUEST", `${name} cannot be read as the dense vectors: ${why}`, {
    retryable: false,
    details: { path: "source.dense" },
  });
}

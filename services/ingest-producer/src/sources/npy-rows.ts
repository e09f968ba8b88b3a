import { createReadStream } from "node:fs";
import { AppError } from "@hybrid/service-kit";
import { peekBytes } from "./peek-bytes.js";

/** The header of a NumPy `.npy` file holding a 2-D float matrix: rows, columns, element size, where data starts. */
export interface NpyMatrix {
  rows: number;
  cols: number;
  dtype: "<f4" | "<f8";
  dataOffset: number;
}

/** An `.npy` file being read: its header, and its rows from the bytes that follow it. */
export interface OpenedNpy {
  matrix: NpyMatrix;
  /** The matrix's rows in order, streamed (one read buffer at a time), as plain number arrays. */
  rows(onBytes: (n: number) => void): AsyncGenerator<number[]>;
}

/** Reads a local `.npy` file's header (see `openNpy`). */
export async function readNpyHeader(file: string, name: string): Promise<NpyMatrix> {
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    return (await openNpy(stream, name)).matrix;
  } finally {
    stream.destroy();
  }
}

/**
 * Opens an `.npy` byte stream (a file or an HTTP body) at its header, the first bytes: format versions 1-3 (magic,
 * version, header length, a Python dict literal). Only C-order little-endian float32/float64 matrices are taken;
 * anything else is a BAD_REQUEST naming the file and what it holds.
 */
export async function openNpy(bytes: AsyncIterable<Uint8Array>, name: string): Promise<OpenedNpy> {
  const first = await peekBytes(bytes, 12);
  const start = first.head;
  if (start.subarray(0, 6).toString("latin1") !== "\x93NUMPY") throw badNpy(name, "it is not a .npy file");
  const major = start[6] ?? 0;
  if (start.length < 12 || major < 1 || major > 3) throw badNpy(name, "its header is damaged");
  const headerLength = major === 1 ? start.readUInt16LE(8) : start.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  // numpy writes headers of a few hundred bytes; a larger length is a damaged file, not something to allocate.
  if (headerLength > 65_536) throw badNpy(name, "its header is damaged");
  const dataOffset = headerStart + headerLength;
  const whole = await peekBytes(first.stream, dataOffset);
  if (whole.head.length < dataOffset) throw badNpy(name, "its header is damaged");
  const text = whole.head.subarray(headerStart, dataOffset).toString("latin1");
  const dtype = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape':\s*\((\d+),\s*(\d+),?\s*\)/.exec(text);
  if (dtype !== "<f4" && dtype !== "<f8")
    throw badNpy(name, `its elements are ${dtype ?? "unknown"}, not float32 (<f4)`);
  if (fortran !== "False") throw badNpy(name, "it is in Fortran order; save it in C order");
  if (!shape) throw badNpy(name, "it is not a 2-D matrix (one row per point)");
  const matrix: NpyMatrix = { rows: Number(shape[1]), cols: Number(shape[2]), dtype, dataOffset };
  return { matrix, rows: (onBytes) => readRows(whole.stream, name, matrix, onBytes) };
}

async function* readRows(
  bytes: AsyncIterable<Uint8Array>,
  name: string,
  matrix: NpyMatrix,
  onBytes: (n: number) => void,
): AsyncGenerator<number[]> {
  const size = matrix.dtype === "<f4" ? 4 : 8;
  const rowBytes = matrix.cols * size;
  let skip = matrix.dataOffset;
  let pending: Buffer = Buffer.alloc(0);
  let emitted = 0;
  for await (const piece of bytes) {
    let chunk = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (skip > 0) {
      const header = Math.min(skip, chunk.length);
      skip -= header;
      chunk = chunk.subarray(header);
    }
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

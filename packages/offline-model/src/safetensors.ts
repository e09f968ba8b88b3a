import { z } from "zod";

/** One float32 tensor read from a safetensors file (a view on the file's bytes, copied out when unaligned). */
export interface F32Tensor {
  shape: number[];
  data: Float32Array;
}

const TensorEntry = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

/**
 * The float32 tensors of a safetensors file (8-byte little-endian header length, JSON header, then the data). Other
 * dtypes (the int64 `position_ids` buffer some BERT checkpoints carry) are skipped: the graph does not need them.
 */
export function readSafetensors(bytes: Uint8Array): Map<string, F32Tensor> {
  if (bytes.length < 8) throw new Error("not a safetensors file: shorter than its header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw new Error("not a safetensors file: header runs past the end");
  const header: unknown = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString("utf8"));
  if (typeof header !== "object" || header === null) throw new Error("safetensors header is not an object");
  const base = 8 + headerLength;
  const tensors = new Map<string, F32Tensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = TensorEntry.parse(raw);
    if (entry.dtype !== "F32") continue;
    const [start, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - start !== count * 4 || base + end > bytes.length) {
      throw new Error(`safetensors tensor ${name}: its byte range does not match its shape`);
    }
    const offset = bytes.byteOffset + base + start;
    const data =
      offset % 4 === 0
        ? new Float32Array(bytes.buffer, offset, count)
        : new Float32Array(bytes.slice(base + start, base + end).buffer);
    tensors.set(name, { shape: entry.shape, data });
  }
  return tensors;
}

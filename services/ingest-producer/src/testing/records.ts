import type { OpenedSource, RawRecord } from "../sources/raw-record.js";

// What the reader and source tests share: bytes fed in small chunks, and what came out collected.

/** Feeds `text` in chunks of `size` bytes, so records straddle chunk boundaries. */
export async function* chunked(text: string | Buffer, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Every item of `items`, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Every record of an opened source. */
export const drain = (source: OpenedSource): Promise<RawRecord[]> => collect(source.records);

/** Records as line and value, or line and the reason they were skipped. */
export const recordSummary = (records: RawRecord[]) =>
  records.map((r) => ("skip" in r ? { line: r.line, skip: r.skip } : { line: r.line, value: r.value }));

import { isUtf8 } from "node:buffer";
import { invalidUtf8Record, oversizedRecord, type RawRecord, valueRecord } from "./raw-record.js";

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into JSON Lines records without holding more than one line in memory. A line longer than
 * `maxRowBytes` is not buffered: its bytes are dropped up to the next newline and it comes out as `oversized_row`.
 * Blank lines are ignored (they are not rows); a UTF-8 BOM and `\r\n` endings are accepted.
 */
export async function* readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  options: { maxRowBytes: number },
): AsyncGenerator<RawRecord> {
  let pieces: Buffer[] = [];
  let size = 0;
  let line = 1;
  for await (const chunk of chunks) {
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start < buffer.length) {
      const newline = buffer.indexOf(NEWLINE, start);
      const end = newline === -1 ? buffer.length : newline;
      if (size + (end - start) <= options.maxRowBytes) pieces.push(buffer.subarray(start, end));
      else pieces = [];
      size += end - start;
      if (newline === -1) break;
      const record = toRecord(pieces, size, line, options.maxRowBytes);
      if (record) yield record;
      pieces = [];
      size = 0;
      line += 1;
      start = newline + 1;
    }
  }
  const last = toRecord(pieces, size, line, options.maxRowBytes);
  if (last) yield last;
}

function toRecord(pieces: Buffer[], size: number, line: number, maxRowBytes: number): RawRecord | undefined {
  if (size > maxRowBytes) {
    return oversizedRecord(line, size, maxRowBytes, "line");
  }
  const bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
  if (!isUtf8(bytes)) return invalidUtf8Record(line, size, "line");
  let text = bytes.toString("utf8");
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return undefined;
  try {
    return valueRecord(line, size, JSON.parse(text));
  } catch (error) {
    return { line, bytes: size, skip: "malformed_json", message: (error as Error).message };
  }
}

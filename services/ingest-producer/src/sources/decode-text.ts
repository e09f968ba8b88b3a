import type { SourceEncoding } from "@hybrid/queue";

/**
 * Re-encodes a byte stream in `encoding` as UTF-8, chunk by chunk (a character split across chunks is carried
 * over), so the readers, which scan UTF-8 bytes, read it like any other source. A leading BOM is dropped.
 */
export async function* decodeToUtf8(
  chunks: AsyncIterable<Uint8Array>,
  encoding: SourceEncoding,
): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield Buffer.from(text, "utf8");
  }
  const rest = decoder.decode();
  if (rest) yield Buffer.from(rest, "utf8");
}

/** The body as the readers expect it: UTF-8 as it is (checked per row), any other encoding re-encoded. */
export function asUtf8(
  chunks: AsyncIterable<Uint8Array>,
  encoding: SourceEncoding | undefined,
): AsyncIterable<Uint8Array> {
  return encoding === undefined || encoding === "utf-8" ? chunks : decodeToUtf8(chunks, encoding);
}

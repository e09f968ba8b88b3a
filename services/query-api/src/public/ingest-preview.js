// The first rows of a chosen file, read in the browser before uploading; the producer maps them for the preview.

/** Bytes read for the preview (after gunzip): enough for the first rows of any sensible file. */
const PREVIEW_BYTES = 256 * 1024;

/** Up to `n` rows from the start of `file` (JSON Lines or a JSON array, gzipped or not). */
export async function readFirstRows(file, n = 5) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzipped ? file.stream().pipeThrough(new DecompressionStream("gzip")) : file.stream();
  const text = await readText(stream, PREVIEW_BYTES);
  const complete = text.length < PREVIEW_BYTES;
  const start = text.trimStart();
  if (start.startsWith("[")) {
    if (!complete) throw new Error("a JSON array larger than 256 KB cannot be previewed; JSON Lines can");
    const rows = JSON.parse(start);
    if (!Array.isArray(rows)) throw new Error("the file is not a JSON array");
    return rows.slice(0, n);
  }
  const lines = text.split("\n");
  if (!complete) lines.pop(); // The last line may be cut.
  const rows = [];
  for (const [i, line] of lines.entries()) {
    if (rows.length === n) break;
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      throw new Error(`line ${i + 1} is not JSON (the ingestion would skip it as malformed_json)`);
    }
  }
  return rows;
}

async function readText(stream, max) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (text.length < max) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text.slice(0, max);
}

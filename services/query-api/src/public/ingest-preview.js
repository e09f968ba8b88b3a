// The first rows of a chosen file mapped to the text that will be embedded, read in the browser before uploading.

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
      throw new Error(`line ${i + 1} is not JSON`);
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

/** A dotted path's value in a row, or undefined. */
export function valueAt(row, path) {
  let value = row;
  for (const part of path.split(".")) value = value && typeof value === "object" ? value[part] : undefined;
  return value;
}

const asText = (value) =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);

/** The text a row yields: a `{field}` template (`{{`, `}}` for braces) or a field name. */
export function textOf(row, text) {
  if (!text.includes("{")) return asText(valueAt(row, text));
  return text.replace(/\{\{|\}\}|\{([^{}]+)\}/g, (match, path) =>
    match === "{{" ? "{" : match === "}}" ? "}" : asText(valueAt(row, path.trim())),
  );
}

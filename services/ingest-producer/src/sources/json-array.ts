import { isUtf8 } from "node:buffer";
import { AppError } from "@hybrid/service-kit";
import { invalidUtf8Record, oversizedRecord, type RawRecord, valueRecord } from "./raw-record.js";

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

type State = "before" | "between" | "element" | "after";

/**
 * Streams the elements of a top-level JSON array one at a time: a byte scanner finds where each element ends
 * (tracking nesting and strings) and only that element is parsed, so memory holds one element, never the file.
 * An element over `maxRowBytes` is skipped unbuffered (`oversized_row`); one that does not parse is `malformed_json`.
 * `line` is the element's 0-based index. A source that is not an array at all fails with BAD_REQUEST, and so does
 * one cut off before its closing bracket, after yielding what came before the cut.
 */
export async function* readJsonArray(
  chunks: AsyncIterable<Uint8Array>,
  options: { maxRowBytes: number },
): AsyncGenerator<RawRecord> {
  let state: State = "before";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let pieces: Buffer[] = [];
  let size = 0;
  let index = 0;
  let bom = true;

  const finish = (): RawRecord => {
    const record = toRecord(pieces, size, index, options.maxRowBytes);
    pieces = [];
    size = 0;
    index += 1;
    return record;
  };

  for await (const chunk of chunks) {
    let buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bom && buffer.length > 0) {
      bom = false;
      if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) buffer = buffer.subarray(3);
    }
    let start = state === "element" ? 0 : -1;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer[i] as number;
      if (state === "element") {
        if (inString) {
          if (escaped) {
            escaped = false;
            continue;
          }
          // Jump to the next quote; it closes the string unless an odd run of backslashes precedes it.
          const quote = buffer.indexOf(QUOTE, i);
          const stop = quote === -1 ? buffer.length : quote;
          let slashes = 0;
          for (let k = stop - 1; k >= i && buffer[k] === BACKSLASH; k--) slashes += 1;
          if (quote === -1) {
            escaped = slashes % 2 === 1;
            i = buffer.length;
          } else {
            i = quote;
            if (slashes % 2 === 0) inString = false;
          }
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
        else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && depth > 0) depth -= 1;
        else if (depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
          collect(buffer.subarray(start, i));
          yield finish();
          state = c === COMMA ? "between" : "after";
        }
        continue;
      }
      if (c === SPACE || c === LF || c === CR || c === TAB) continue;
      if (state === "before") {
        if (c !== OPEN_BRACKET)
          throw notAnArray(`found ${JSON.stringify(String.fromCharCode(c))} before "["`);
        state = "between";
      } else if (state === "between") {
        if (c === CLOSE_BRACKET && index === 0) {
          state = "after";
        } else {
          state = "element";
          start = i;
          i -= 1;
        }
      } else {
        throw notAnArray("found data after the closing bracket");
      }
    }
    if (state === "element") collect(buffer.subarray(start));
  }
  if (state === "before") throw notAnArray("the source is empty");
  // A cut-off array (truncated file or download) fails the read once the elements before the cut are out.
  if (!closed(state)) {
    if (state === "element") {
      const record = finish();
      yield {
        line: record.line,
        bytes: record.bytes,
        skip: "malformed_json",
        message: "the array is not closed",
      };
    }
    throw new AppError(
      "BAD_REQUEST",
      `source is a JSON array cut off after ${index} elements: its closing "]" is missing`,
      { retryable: false },
    );
  }

  function collect(part: Buffer): void {
    if (size + part.length <= options.maxRowBytes) pieces.push(part);
    else pieces = [];
    size += part.length;
  }
}

// A function, not an inline comparison: TypeScript's narrowing through the scanning loops loses "after".
function closed(state: State): boolean {
  return state === "after";
}

function notAnArray(detail: string): AppError {
  return new AppError("BAD_REQUEST", `source is not a JSON array: ${detail}`, { retryable: false });
}

function toRecord(pieces: Buffer[], size: number, index: number, maxRowBytes: number): RawRecord {
  if (size > maxRowBytes) {
    return oversizedRecord(index, size, maxRowBytes, "element");
  }
  const bytes = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
  if (!isUtf8(bytes)) return invalidUtf8Record(index, size, "element");
  const text = bytes.toString("utf8");
  try {
    return valueRecord(index, size, JSON.parse(text));
  } catch (error) {
    const message = text.trim() === "" ? "empty element" : (error as Error).message;
    return { line: index, bytes: size, skip: "malformed_json", message };
  }
}

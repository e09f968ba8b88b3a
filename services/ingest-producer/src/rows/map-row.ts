import type { BatchRow, Chunking } from "@hybrid/queue";
import type { RawRecord, SkipReason } from "../sources/raw-record.js";
import { chunkText } from "./chunk-text.js";
import { compileText, getPath, type TextBuilder, textFields } from "./text-spec.js";

export interface RowSpecInput {
  text: string | string[];
  id?: string | undefined;
  payload?: { include?: string[] | undefined; exclude?: string[] | undefined } | undefined;
  chunking?: Chunking | undefined;
}

export type MappedRow = { rows: BatchRow[] } | { skip: SkipReason; message: string };

/** Turns one parsed record into the batch rows to embed (several when chunked) or a skip with its reason. */
export type RowMapper = (record: RawRecord) => MappedRow;

/**
 * Compiles the request's row settings once (a bad template throws BAD_REQUEST here, before any job exists).
 * `sourceKey` is the base of derived ids (`<sourceKey>#<line>`) when the request names no id field.
 * With chunking, each chunk's payload carries `_chunk: {rowId, index, count, text}` pointing at its row.
 */
export function createRowMapper(spec: RowSpecInput, sourceKey: string): RowMapper {
  const buildText: TextBuilder = compileText(spec.text);
  const include = spec.payload?.include ? new Set(spec.payload.include) : undefined;
  const exclude = new Set(spec.payload?.exclude ?? []);
  return (record) => {
    if ("skip" in record) return record;
    const { value, line } = record;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return {
        skip: "not_an_object",
        message: `row is ${Array.isArray(value) ? "an array" : `a ${typeof value}`}`,
      };
    }
    const row = value as Record<string, unknown>;
    const built = buildText(row);
    if ("skip" in built) return built;
    let rowId = `${sourceKey}#${line}`;
    if (spec.id) {
      const id = getPath(row, spec.id);
      if (id === undefined || id === null || id === "") {
        return { skip: "missing_id", message: `id field "${spec.id}" is missing or empty` };
      }
      if (typeof id === "string") rowId = id;
      else if (typeof id === "number" && Number.isSafeInteger(id)) rowId = String(id);
      else return { skip: "invalid_id", message: `id field "${spec.id}" must be a string or an integer` };
    }
    const payload: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(row)) {
      if ((include && !include.has(key)) || exclude.has(key)) continue;
      payload[key] = field;
    }
    if (!spec.chunking) return { rows: [{ rowId, line, chunk: 0, text: built.text, payload }] };
    const chunks = chunkText(built.text, spec.chunking.maxTokens, spec.chunking.overlap);
    return {
      rows: chunks.map((text, index) => ({
        rowId,
        line,
        chunk: index,
        text,
        payload: { ...payload, _chunk: { rowId, index, count: chunks.length, text } },
      })),
    };
  };
}

/**
 * The top-level fields a row needs for `spec` (text, id, kept payload), or undefined when the payload keeps every
 * field (then all are needed). Column readers read only these.
 */
export function neededColumns(spec: RowSpecInput): string[] | undefined {
  const include = spec.payload?.include;
  if (!include) return undefined;
  const top = (path: string) => path.split(".")[0] ?? path;
  const fields = [...textFields(spec.text), ...(spec.id ? [spec.id] : [])].map(top);
  return [...new Set([...fields, ...include])];
}

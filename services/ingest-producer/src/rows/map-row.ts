import type { BatchRow, Chunking, RowVectors, VectorFields } from "@hybrid/queue";
import type { RawRecord, SkipReason } from "../sources/raw-record.js";
import { chunkText } from "./chunk-text.js";
import { compileText, getPath, type TextBuilder, textFields } from "./text-spec.js";

export interface RowSpecInput {
  text: string | string[];
  id?: string | undefined;
  payload?: { include?: string[] | undefined; exclude?: string[] | undefined } | undefined;
  chunking?: Chunking | undefined;
  vectors?: VectorFields | undefined;
}

export type MappedRow = { rows: BatchRow[] } | { skip: SkipReason; message: string };

/** Turns one parsed record into the batch rows to embed (several when chunked) or a skip with its reason. */
export type RowMapper = (record: RawRecord) => MappedRow;

/**
 * Compiles the request's row settings once (a bad template throws BAD_REQUEST here, before any job exists).
 * `sourceKey` is the base of derived ids (`<sourceKey>#<line>`) when the request names no id field.
 * With chunking, each chunk's payload carries `_chunk: {rowId, index, count, text}` pointing at its row.
 */
export function createRowMapper(spec: RowSpecInput, sourceKey: string, denseDim?: number): RowMapper {
  const buildText: TextBuilder = compileText(spec.text);
  const include = spec.payload?.include ? new Set(spec.payload.include) : undefined;
  const exclude = new Set(spec.payload?.exclude ?? []);
  // Vectors are stored as vectors, not a second time in the payload.
  for (const field of [spec.vectors?.dense, spec.vectors?.sparse]) if (field) exclude.add(topField(field));
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
    let vectors: RowVectors | undefined;
    if (spec.vectors) {
      const found = readVectors(row, spec.vectors, denseDim);
      if ("skip" in found) return found;
      vectors = found.vectors;
    }
    const payload: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(row)) {
      if ((include && !include.has(key)) || exclude.has(key)) continue;
      payload[key] = field;
    }
    if (!spec.chunking) {
      return {
        rows: [{ rowId, line, chunk: 0, text: built.text, payload, ...(vectors ? { vectors } : {}) }],
      };
    }
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

const topField = (path: string) => path.split(".")[0] ?? path;

/**
 * A row's pre-computed vectors, checked: the dense one a list of `denseDim` finite numbers, the sparse one (when
 * named) `{indices, values}` of equal length with non-negative integer indices. Anything else skips the row as
 * `invalid_vector`, naming the field and what was expected; a row without the sparse field gets one computed.
 */
function readVectors(
  row: Record<string, unknown>,
  fields: VectorFields,
  denseDim: number | undefined,
): { vectors: RowVectors } | { skip: "invalid_vector"; message: string } {
  const bad = (message: string) => ({ skip: "invalid_vector" as const, message });
  const dense = getPath(row, fields.dense);
  const size = denseDim === undefined ? "" : ` of ${denseDim}`;
  if (!Array.isArray(dense) || dense.length === 0) {
    return bad(
      `dense vector field "${fields.dense}" is ${dense === undefined ? "missing" : "not a list"}; expected a list${size} numbers`,
    );
  }
  if (denseDim !== undefined && dense.length !== denseDim) {
    return bad(
      `dense vector field "${fields.dense}" has ${dense.length} numbers; the collection's dense vectors have ${denseDim}`,
    );
  }
  if (!dense.every((n) => typeof n === "number" && Number.isFinite(n))) {
    return bad(`dense vector field "${fields.dense}" holds something other than finite numbers`);
  }
  if (!fields.sparse) return { vectors: { dense: dense as number[] } };
  const sparse = getPath(row, fields.sparse) as { indices?: unknown; values?: unknown } | null | undefined;
  // A row without one has its sparse vector computed from the text.
  if (sparse === undefined || sparse === null) return { vectors: { dense: dense as number[] } };
  const { indices, values } = sparse;
  const ok =
    Array.isArray(indices) &&
    Array.isArray(values) &&
    indices.length === values.length &&
    indices.every((i) => Number.isSafeInteger(i) && i >= 0) &&
    values.every((v) => typeof v === "number" && Number.isFinite(v));
  if (!ok) {
    return bad(
      `sparse vector field "${fields.sparse}" must be {indices, values}: lists of equal length, non-negative integer indices and numbers`,
    );
  }
  return {
    vectors: {
      dense: dense as number[],
      sparse: { indices: indices as number[], values: values as number[] },
    },
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
  const vectors = [spec.vectors?.dense, spec.vectors?.sparse].filter((f): f is string => f !== undefined);
  const fields = [...textFields(spec.text), ...(spec.id ? [spec.id] : []), ...vectors].map(top);
  return [...new Set([...fields, ...include])];
}

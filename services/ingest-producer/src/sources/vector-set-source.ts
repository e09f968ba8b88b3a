import { createReadStream } from "node:fs";
import type { VectorSetSource } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { type FilePolicy, resolveDataFile } from "./file-source.js";
import { readJsonArray } from "./json-array.js";
import { type NpyMatrix, readNpyHeader, readNpyRows } from "./npy-rows.js";
import type { OpenedSource, RawRecord } from "./raw-record.js";

/** Where a vector set's rows carry their vectors; the read job points the request's `vectors` here. */
export const VECTOR_SET_FIELDS = { dense: "__dense", sparse: "__sparse" } as const;

/** The dense matrix's shape, for checking it against the collection before anything is queued. */
export async function vectorSetShape(source: VectorSetSource, dataDirs: string[]): Promise<NpyMatrix> {
  const dense = await resolveDataFile(source.dense, dataDirs);
  await resolveDataFile(source.payload, dataDirs);
  if (source.sparse) await resolveDataFile(source.sparse, dataDirs);
  return readNpyHeader(dense.absolute, source.dense);
}

/**
 * Zips a vector set by position, streaming all three files: row `i` is payload object `i` with dense row `i` and
 * sparse vector `i` under VECTOR_SET_FIELDS. Files of different lengths fail the read, naming both and the row where
 * one ran out. A payload element that is not valid JSON is skipped with its index, as are its vectors.
 */
export async function openVectorSetSource(
  source: VectorSetSource,
  policy: FilePolicy,
): Promise<OpenedSource> {
  const dense = await resolveDataFile(source.dense, policy.dataDirs);
  const payload = await resolveDataFile(source.payload, policy.dataDirs);
  const sparse = source.sparse ? await resolveDataFile(source.sparse, policy.dataDirs) : undefined;
  const matrix = await readNpyHeader(dense.absolute, source.dense);
  let read = matrix.dataOffset;
  // Counted as consumed (a "data" listener would start the stream flowing before anyone reads it).
  const counted = async function* (file: string): AsyncGenerator<Uint8Array> {
    for await (const chunk of createReadStream(file, {
      highWaterMark: 256 * 1024,
    }) as AsyncIterable<Buffer>) {
      read += chunk.length;
      yield chunk;
    }
  };
  const options = { maxRowBytes: policy.maxRowBytes * 4 };
  const payloads = readJsonArray(counted(payload.absolute), options)[Symbol.asyncIterator]();
  const sparses = sparse
    ? readJsonArray(counted(sparse.absolute), options)[Symbol.asyncIterator]()
    : undefined;
  const mismatch = (file: string, count: string) =>
    new AppError(
      "BAD_REQUEST",
      `${file} has ${count} but ${source.dense} has ${matrix.rows} rows; the files are zipped by position`,
      { retryable: false },
    );
  const records = (async function* (): AsyncGenerator<RawRecord> {
    let index = 0;
    for await (const vector of readNpyRows(dense.absolute, source.dense, matrix, (n) => {
      read += n;
    })) {
      const item = await payloads.next();
      const vectors = await sparses?.next();
      if (item.done) throw mismatch(source.payload, `${index} objects`);
      if (vectors?.done) throw mismatch(source.sparse ?? "", `${index} vectors`);
      index += 1;
      const record = item.value;
      if ("skip" in record) {
        yield record;
        continue;
      }
      if (vectors && "skip" in vectors.value) {
        yield { ...vectors.value, message: `${source.sparse}: ${vectors.value.message}` };
        continue;
      }
      const value = record.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        yield record;
        continue;
      }
      const sparseValue = vectors && "value" in vectors.value ? vectors.value.value : undefined;
      yield {
        line: record.line,
        bytes: record.bytes + vector.length * 4,
        value: {
          ...value,
          [VECTOR_SET_FIELDS.dense]: vector,
          ...(sparseValue === undefined ? {} : { [VECTOR_SET_FIELDS.sparse]: sparseValue }),
        },
      };
    }
    if (!(await payloads.next()).done) throw mismatch(source.payload, `more than ${index} objects`);
    if (sparses && !(await sparses.next()).done)
      throw mismatch(source.sparse ?? "", `more than ${index} vectors`);
  })();
  return {
    records,
    reader: {
      format: "vector-set",
      detectedBy: "request",
      library: "built-in .npy reader + JSON array scanner",
    },
    key: `file:${payload.relative}`,
    bytes: () => ({ read, total: dense.size + payload.size + (sparse?.size ?? 0) }),
    rowsTotal: matrix.rows,
  };
}

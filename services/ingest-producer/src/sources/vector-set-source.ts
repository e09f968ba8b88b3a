import { createReadStream } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { VectorSetSource } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { extract } from "tar";
import { type FilePolicy, resolveDataFile } from "./file-source.js";
import { readJsonArray } from "./json-array.js";
import { type NpyMatrix, readNpyHeader, readNpyRows } from "./npy-rows.js";
import type { OpenedSource, RawRecord } from "./raw-record.js";

/** Where a vector set's rows carry their vectors; the read job points the request's `vectors` here. */
export const VECTOR_SET_FIELDS = { dense: "__dense", sparse: "__sparse" } as const;

const MEMBERS = {
  dense: "dense_vectors.npy",
  sparse: "sparse_vectors.json",
  payload: "payload.json",
} as const;

interface SetFile {
  absolute: string;
  /** As shown in errors: the request's path, or `<archive>:<member>`. */
  name: string;
  size: number;
}

/** BAD_REQUEST unless the source names the three files (`dense`, `payload`, `sparse?`) or an `archive`, not both. */
export function checkVectorSetSource(source: VectorSetSource): void {
  const files = source.dense !== undefined && source.payload !== undefined;
  const archive = source.archive !== undefined;
  if (files !== archive && !(archive && (source.dense || source.payload || source.sparse))) return;
  throw new AppError(
    "BAD_REQUEST",
    "a vectors source takes either dense and payload (and optionally sparse) files, or an archive holding them",
    { details: { issues: [{ path: "body.source", message: "dense + payload, or archive" }] } },
  );
}

/** The dense matrix's shape, for checking it against the collection before anything is queued (files only). */
export async function vectorSetShape(
  source: VectorSetSource,
  dataDirs: string[],
): Promise<NpyMatrix | undefined> {
  checkVectorSetSource(source);
  if (source.archive) {
    await resolveDataFile(source.archive, dataDirs);
    return undefined;
  }
  const dense = await resolveDataFile(source.dense ?? "", dataDirs);
  await resolveDataFile(source.payload ?? "", dataDirs);
  if (source.sparse) await resolveDataFile(source.sparse, dataDirs);
  return readNpyHeader(dense.absolute, source.dense ?? "");
}

/**
 * The set's files: from the data directories, or unpacked from its archive (tar, gzipped or not, by node-tar) into
 * a scratch folder that `cleanup` removes. Members are found by name anywhere in the archive.
 */
async function setFiles(
  source: VectorSetSource,
  policy: VectorSetPolicy,
): Promise<{ dense: SetFile; payload: SetFile; sparse?: SetFile | undefined; cleanup: () => Promise<void> }> {
  checkVectorSetSource(source);
  const named = async (requested: string) => {
    const file = await resolveDataFile(requested, policy.dataDirs);
    return { absolute: file.absolute, name: requested, size: file.size };
  };
  if (!source.archive) {
    return {
      dense: await named(source.dense ?? ""),
      payload: await named(source.payload ?? ""),
      sparse: source.sparse ? await named(source.sparse) : undefined,
      cleanup: async () => undefined,
    };
  }
  const archive = await resolveDataFile(source.archive, policy.dataDirs);
  await mkdir(policy.scratchDir, { recursive: true });
  const dir = await mkdtemp(path.join(policy.scratchDir, "vectors-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const wanted = new Set<string>(Object.values(MEMBERS));
    await extract({
      file: archive.absolute,
      cwd: dir,
      strict: true,
      // Regular files only: a link named like a member must not lead outside the data directories.
      filter: (p, entry) =>
        wanted.has(path.basename(p)) &&
        "type" in entry &&
        ["File", "OldFile", "ContiguousFile"].includes(entry.type),
    });
    const found = new Map<string, string>();
    for (const entry of await readdir(dir, { recursive: true })) {
      const base = path.basename(entry);
      if (!found.has(base)) found.set(base, path.join(dir, entry));
    }
    const member = async (name: string, required: boolean): Promise<SetFile | undefined> => {
      const at = found.get(name);
      if (!at || !(await lstat(at)).isFile()) {
        if (!required) return undefined;
        throw new AppError("BAD_REQUEST", `${source.archive} holds no ${name}`, { retryable: false });
      }
      return { absolute: at, name: `${source.archive}:${name}`, size: (await stat(at)).size };
    };
    const dense = (await member(MEMBERS.dense, true)) as SetFile;
    const payload = (await member(MEMBERS.payload, true)) as SetFile;
    return { dense, payload, sparse: await member(MEMBERS.sparse, false), cleanup };
  } catch (error) {
    await cleanup();
    if (error instanceof AppError) throw error;
    throw new AppError(
      "BAD_REQUEST",
      `${source.archive} is not a readable tar archive: ${(error as Error).message}`,
      {
        retryable: false,
      },
    );
  }
}

export interface VectorSetPolicy extends FilePolicy {
  /** Where an archive is unpacked while it is read. */
  scratchDir: string;
}

/**
 * Zips a vector set by position, streaming all three files: row `i` is payload object `i` with dense row `i` and
 * sparse vector `i` under VECTOR_SET_FIELDS. Files of different lengths fail the read, naming both and the row where
 * one ran out. A payload element that is not valid JSON is skipped with its index, as are its vectors.
 */
export async function openVectorSetSource(
  source: VectorSetSource,
  policy: VectorSetPolicy,
): Promise<OpenedSource> {
  const { dense, payload, sparse, cleanup } = await setFiles(source, policy);
  const matrix = await readNpyHeader(dense.absolute, dense.name).catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
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
      `${file} has ${count} but ${dense.name} has ${matrix.rows} rows; the files are zipped by position`,
      { retryable: false },
    );
  const zipped = (async function* (): AsyncGenerator<RawRecord> {
    let index = 0;
    for await (const vector of readNpyRows(dense.absolute, dense.name, matrix, (n) => {
      read += n;
    })) {
      const item = await payloads.next();
      const vectors = await sparses?.next();
      if (item.done) throw mismatch(payload.name, `${index} objects`);
      if (vectors?.done) throw mismatch(sparse?.name ?? "", `${index} vectors`);
      index += 1;
      const record = item.value;
      if ("skip" in record) {
        yield record;
        continue;
      }
      if (vectors && "skip" in vectors.value) {
        yield { ...vectors.value, message: `${sparse?.name}: ${vectors.value.message}` };
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
    if (!(await payloads.next()).done) throw mismatch(payload.name, `more than ${index} objects`);
    if (sparses && !(await sparses.next()).done)
      throw mismatch(sparse?.name ?? "", `more than ${index} vectors`);
  })();
  // The scratch copy of an archive goes once the rows are read, or the read fails or is abandoned.
  const records = (async function* () {
    try {
      yield* zipped;
    } finally {
      await cleanup();
    }
  })();
  return {
    records,
    reader: {
      format: "vector-set",
      detectedBy: "request",
      library: "built-in .npy reader + JSON array scanner",
    },
    key: source.archive ? `file:${source.archive}` : `file:${source.payload}`,
    bytes: () => ({ read, total: dense.size + payload.size + (sparse?.size ?? 0) }),
    rowsTotal: matrix.rows,
  };
}

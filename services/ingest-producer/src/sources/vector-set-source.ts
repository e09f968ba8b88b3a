import { createReadStream } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { redactUrl } from "@hybrid/logger";
import type { VectorSetSource } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { extract } from "tar";
import { fetchBody } from "./fetch-allowed.js";
import { type FilePolicy, resolveDataFile } from "./file-source.js";
import { readJsonArray } from "./json-array.js";
import { type NpyMatrix, openNpy } from "./npy-rows.js";
import type { OpenedSource, RawRecord } from "./raw-record.js";
import { checkUrlSource, urlSourceKey } from "./url-source.js";

/** Where a vector set's rows carry their vectors; the read job points the request's `vectors` here. */
export const VECTOR_SET_FIELDS = { dense: "__dense", sparse: "__sparse" } as const;

const MEMBERS = {
  dense: "dense_vectors.npy",
  sparse: "sparse_vectors.json",
  payload: "payload.json",
} as const;

/** Each of a set's files is a path under the data directories or an http(s) URL. */
export function isUrlRef(ref: string): boolean {
  return /^https?:\/\//i.test(ref);
}

export interface VectorSetPolicy extends FilePolicy {
  /** Where an archive is unpacked while it is read. */
  scratchDir: string;
  /** The url source's allow-list and size cap, for members given as URLs; absent: no URL may be read. */
  urls?: UrlLimits | undefined;
}

/** What a URL member goes through: the allow-list (each redirect checked) and the size cap (URL_MAX_BYTES). */
export interface UrlLimits {
  allowHosts: string[];
  maxBytes: number;
  maxRedirects?: number | undefined;
}

/** One of the set's files opened for reading. */
interface SetFile {
  /** As shown in errors: the request's path or redacted URL, or `<archive>:<member>`. */
  name: string;
  /** Bytes in it, when known (a URL that announces no length does not). */
  size: number | undefined;
  bytes: AsyncIterable<Uint8Array>;
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

/**
 * Checks the set's files before anything is queued (paths inside the data directories, URLs on the allow-list) and
 * answers the dense matrix's shape from the `.npy` header, its first bytes, when it can be had: not inside an
 * archive, nor while its URL cannot be fetched for a reason that may pass (the read job retries that).
 */
export async function vectorSetShape(
  source: VectorSetSource,
  dataDirs: string[],
  urls?: UrlLimits,
): Promise<NpyMatrix | undefined> {
  checkVectorSetSource(source);
  for (const ref of [source.archive, source.payload, source.sparse]) {
    if (ref !== undefined) await checkRef(ref, dataDirs, urls);
  }
  if (source.dense === undefined) return undefined;
  await checkRef(source.dense, dataDirs, urls);
  const controller = new AbortController();
  let dense: SetFile | undefined;
  try {
    dense = await openRef(source.dense, { dataDirs, urls }, controller.signal);
    return (await openNpy(dense.bytes, dense.name)).matrix;
  } catch (error) {
    if (error instanceof AppError && error.retryable) return undefined;
    throw error;
  } finally {
    // Only the header was wanted.
    if (dense) await closeBytes(dense.bytes);
    controller.abort();
  }
}

async function checkRef(ref: string, dataDirs: string[], urls: UrlLimits | undefined): Promise<void> {
  if (isUrlRef(ref)) await checkUrlSource(parseUrl(ref), urls?.allowHosts ?? []);
  else await resolveDataFile(ref, dataDirs);
}

/** A path or URL opened as a byte stream: a data-directory file, or a body fetched through the allow-list. */
async function openRef(
  ref: string,
  policy: { dataDirs: string[]; urls?: UrlLimits | undefined },
  signal: AbortSignal | undefined,
): Promise<SetFile> {
  if (isUrlRef(ref)) {
    const fetched = await fetchBody(ref, { allowHosts: [], maxBytes: 0, ...policy.urls }, signal);
    return { name: redactUrl(ref), size: fetched.size, bytes: fetched.body };
  }
  const file = await resolveDataFile(ref, policy.dataDirs);
  return {
    name: ref,
    size: file.size,
    bytes: createReadStream(file.absolute, { highWaterMark: 256 * 1024 }),
  };
}

function parseUrl(ref: string): URL {
  try {
    return new URL(ref);
  } catch {
    throw new AppError("BAD_REQUEST", `${redactUrl(ref)} is not a valid URL`, {
      details: { path: "body.source" },
    });
  }
}

/**
 * The set's files: each a data-directory file or a URL, or unpacked from its archive (tar, gzipped or not, by
 * node-tar; a local file or a URL streamed into the unpacker) into a scratch folder that `cleanup` removes.
 * Members are found by name anywhere in the archive.
 */
async function setFiles(
  source: VectorSetSource,
  policy: VectorSetPolicy,
  signal: AbortSignal | undefined,
): Promise<{ dense: SetFile; payload: SetFile; sparse?: SetFile | undefined; cleanup: () => Promise<void> }> {
  checkVectorSetSource(source);
  if (!source.archive) {
    const opened: SetFile[] = [];
    try {
      for (const ref of [source.dense ?? "", source.payload ?? ""])
        opened.push(await openRef(ref, policy, signal));
      const sparse = source.sparse ? await openRef(source.sparse, policy, signal) : undefined;
      const [dense, payload] = opened as [SetFile, SetFile];
      return { dense, payload, sparse, cleanup: async () => undefined };
    } catch (error) {
      for (const file of opened) await closeBytes(file.bytes);
      throw error;
    }
  }
  const archive = source.archive;
  const shown = isUrlRef(archive) ? redactUrl(archive) : archive;
  const packed = await openRef(archive, policy, signal);
  await mkdir(policy.scratchDir, { recursive: true });
  const dir = await mkdtemp(path.join(policy.scratchDir, "vectors-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const wanted = new Set<string>(Object.values(MEMBERS));
    await pipeline(
      Readable.from(packed.bytes),
      extract({
        cwd: dir,
        strict: true,
        // Regular files only: a link named like a member must not lead outside the data directories.
        filter: (p, entry) =>
          wanted.has(path.basename(p)) &&
          "type" in entry &&
          ["File", "OldFile", "ContiguousFile"].includes(entry.type),
      }),
    ).catch((error: unknown) => {
      if (error instanceof AppError) throw error;
      throw new AppError(
        "BAD_REQUEST",
        `${shown} is not a readable tar archive: ${(error as Error).message}`,
        {
          retryable: false,
        },
      );
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
        throw new AppError("BAD_REQUEST", `${shown} holds no ${name}`, { retryable: false });
      }
      return {
        name: `${shown}:${name}`,
        size: (await stat(at)).size,
        bytes: createReadStream(at, { highWaterMark: 256 * 1024 }),
      };
    };
    const dense = await member(MEMBERS.dense, true);
    const payload = await member(MEMBERS.payload, true);
    if (!dense || !payload) throw new Error("unreachable: required members are present");
    return { dense, payload, sparse: await member(MEMBERS.sparse, false), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Stops reading a stream that will not be read (an open file, an HTTP body). */
async function closeBytes(bytes: AsyncIterable<Uint8Array>): Promise<void> {
  const iterator = bytes[Symbol.asyncIterator]();
  await iterator.return?.().catch(() => undefined);
}

/**
 * Zips a vector set by position, streaming all three files (from the data directories or URLs): row `i` is payload
 * object `i` with dense row `i` and sparse vector `i` under VECTOR_SET_FIELDS. Files of different lengths fail the
 * read, naming both and the row where one ran out. A payload element that is not valid JSON is skipped with its
 * index, as are its vectors.
 */
export async function openVectorSetSource(
  source: VectorSetSource,
  policy: VectorSetPolicy,
  signal?: AbortSignal,
): Promise<OpenedSource> {
  const { dense, payload, sparse, cleanup } = await setFiles(source, policy, signal);
  const npy = await openNpy(dense.bytes, dense.name).catch(async (error: unknown) => {
    for (const file of [dense, payload, sparse]) if (file) await closeBytes(file.bytes);
    await cleanup();
    throw error;
  });
  const { matrix } = npy;
  let read = matrix.dataOffset;
  // Counted as consumed (a "data" listener would start the stream flowing before anyone reads it).
  const counted = async function* (bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of bytes) {
      read += chunk.byteLength;
      yield chunk;
    }
  };
  const options = { maxRowBytes: policy.maxRowBytes * 4 };
  const payloads = readJsonArray(counted(payload.bytes), options)[Symbol.asyncIterator]();
  const sparses = sparse ? readJsonArray(counted(sparse.bytes), options)[Symbol.asyncIterator]() : undefined;
  const mismatch = (file: string, count: string) =>
    new AppError(
      "BAD_REQUEST",
      `${file} has ${count} but ${dense.name} has ${matrix.rows} rows; the files are zipped by position`,
      { retryable: false },
    );
  const zipped = (async function* (): AsyncGenerator<RawRecord> {
    let index = 0;
    for await (const vector of npy.rows((n) => {
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
  // The scratch copy of an archive goes once the rows are read, or the read fails or is abandoned; so do the
  // other files' streams (an HTTP body left unread holds its connection).
  const records = (async function* () {
    try {
      yield* zipped;
    } finally {
      await payloads.return?.(undefined);
      await sparses?.return?.(undefined);
      await cleanup();
    }
  })();
  const sizes = [dense.size, payload.size, sparse ? sparse.size : 0];
  const total = sizes.includes(undefined) ? undefined : sizes.reduce<number>((sum, n) => sum + (n ?? 0), 0);
  const keyRef = source.archive ?? source.payload ?? "";
  return {
    records,
    reader: {
      format: "vector-set",
      detectedBy: "request",
      library: "built-in .npy reader + JSON array scanner",
    },
    key: isUrlRef(keyRef) ? urlSourceKey(keyRef) : `file:${keyRef}`,
    bytes: () => ({ read, total }),
    rowsTotal: matrix.rows,
  };
}

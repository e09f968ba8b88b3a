import { createReadStream, type ReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";
import type { CsvOptions, SourceEncoding } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { asUtf8 } from "./decode-text.js";
import type { OpenedSource } from "./raw-record.js";
import { type DataFormat, formatFromName, readRecords } from "./sniff-format.js";

export interface FilePolicy {
  /** Absolute directories a file source may come from; the first resolves relative paths. */
  dataDirs: string[];
  maxRowBytes: number;
}

/**
 * Resolves `requested` inside one of the data directories, following symlinks before the check so a link cannot
 * lead outside them. A path outside answers BAD_REQUEST whether or not it exists (so the answer cannot be used to
 * probe the server's files); a missing file inside answers NOT_FOUND. Returns the real path and the path relative
 * to its data directory (the stable part of derived row ids).
 */
export async function resolveDataFile(
  requested: string,
  dataDirs: string[],
): Promise<{ absolute: string; relative: string; size: number }> {
  const [first] = dataDirs;
  if (!first) throw new AppError("BAD_REQUEST", "file sources are disabled: no data directory is configured");
  const { real, exists } = await realpathOfNearest(path.resolve(first, requested));
  for (const dir of dataDirs) {
    const root = await realpath(dir).catch(() => path.resolve(dir));
    const relative = path.relative(root, real);
    if (relative && !relative.startsWith("..") && !path.isAbsolute(relative)) {
      if (!exists)
        throw new AppError("NOT_FOUND", `file not found: ${requested}`, { details: { path: "source.path" } });
      const info = await stat(real);
      if (!info.isFile()) throw new AppError("BAD_REQUEST", `not a regular file: ${requested}`);
      return { absolute: real, relative: relative.split(path.sep).join("/"), size: info.size };
    }
  }
  throw new AppError("BAD_REQUEST", `path is outside the allowed data directories: ${requested}`, {
    details: { path: "source.path", allowed: dataDirs },
  });
}

/**
 * The real path of `candidate`, or, when it does not exist, the real path of its nearest existing ancestor with the
 * rest appended: where the file would be, symlinks included, so a missing path is placed inside or outside the
 * data directories exactly as an existing one would be.
 */
async function realpathOfNearest(candidate: string): Promise<{ real: string; exists: boolean }> {
  const rest: string[] = [];
  let current = candidate;
  for (;;) {
    try {
      return { real: path.join(await realpath(current), ...rest), exists: rest.length === 0 };
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return { real: candidate, exists: false };
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}

/** Streams a JSON Lines or JSON-array file (gunzipped when it ends in `.gz`) from a data directory. */
export async function openFileSource(
  source: {
    path: string;
    format: DataFormat;
    encoding?: SourceEncoding | undefined;
    csv?: CsvOptions | undefined;
  },
  policy: FilePolicy,
): Promise<OpenedSource> {
  const file = await resolveDataFile(source.path, policy.dataDirs);
  const stream = createReadStream(file.absolute, { highWaterMark: 256 * 1024 });
  let read = 0;
  stream.on("data", (chunk) => {
    read += chunk.length;
  });
  const body = file.absolute.endsWith(".gz") ? gunzip(stream, source.path) : stream;
  const format = source.format === "auto" ? formatFromName(file.absolute) : source.format;
  return {
    records: readRecords(asUtf8(body, source.encoding), format, {
      maxRowBytes: policy.maxRowBytes,
      name: source.path,
      csv: source.csv,
    }),
    key: `file:${file.relative}`,
    bytes: () => ({ read, total: file.size }),
  };
}

/** Gunzips `stream`; a damaged or truncated archive fails with BAD_REQUEST (a retry would read the same bytes). */
async function* gunzip(stream: ReadStream, name: string): AsyncGenerator<Uint8Array> {
  const inflate = createGunzip();
  stream.on("error", (error) => inflate.destroy(error));
  try {
    yield* stream.pipe(inflate);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("Z_")) throw error;
    throw new AppError("BAD_REQUEST", `${name} is not a complete gzip file: ${(error as Error).message}`, {
      retryable: false,
    });
  }
}

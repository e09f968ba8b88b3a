import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { CsvOptions, ReadPosition, SourceEncoding } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { openRecords } from "./open-records.js";
import { countedFileBuffer, openParquetSource, parquetFileDetection } from "./parquet-source.js";
import type { OpenedSource } from "./raw-record.js";
import type { DataFormat } from "./sniff-format.js";

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

/**
 * Streams a file from a data directory: decompressed when its first bytes say so, read as the format the request,
 * the file's extension or its content names (see open-records.ts). Parquet is read by row group, only `columns`
 * (all when undefined).
 */
export async function openFileSource(
  source: {
    path: string;
    format: DataFormat;
    encoding?: SourceEncoding | undefined;
    csv?: CsvOptions | undefined;
  },
  policy: FilePolicy,
  columns?: string[],
  from?: ReadPosition,
): Promise<OpenedSource> {
  const file = await resolveDataFile(source.path, policy.dataDirs);
  return openLocalFile(
    { absolute: file.absolute, size: file.size, name: source.path, key: `file:${file.relative}` },
    source,
    policy.maxRowBytes,
    columns,
    from,
  );
}

/**
 * A file on this machine (from a data directory, or a spooled upload) read as its format: Parquet by row group, only
 * `columns` (all when undefined), from the row group `from` names when given; anything else streamed through
 * `openRecords`, decompressed when its first bytes say so. `name` is what messages and format detection call it;
 * `key` the stable part of derived row ids.
 */
export async function openLocalFile(
  file: { absolute: string; size: number; name: string; key: string },
  read: { format: DataFormat; encoding?: SourceEncoding | undefined; csv?: CsvOptions | undefined },
  maxRowBytes: number,
  columns?: string[],
  from?: ReadPosition,
): Promise<OpenedSource> {
  const parquet = await parquetFileDetection(file.absolute, read.format, file.name);
  if (parquet) {
    const { file: buffer, read: bytesRead } = await countedFileBuffer(file.absolute);
    return openParquetSource(buffer, {
      name: file.name,
      key: file.key,
      columns,
      maxRowBytes,
      detectedBy: parquet,
      read: bytesRead,
      from,
    });
  }
  const stream = createReadStream(file.absolute, { highWaterMark: 256 * 1024 });
  let bytesRead = 0;
  stream.on("data", (chunk) => {
    bytesRead += chunk.length;
  });
  const { records, reader } = await openRecords(stream, {
    format: read.format,
    name: file.name,
    shownAs: file.name,
    encoding: read.encoding,
    csv: read.csv,
    maxRowBytes,
  });
  return {
    records,
    reader,
    key: file.key,
    bytes: () => ({ read: bytesRead, total: file.size }),
  };
}

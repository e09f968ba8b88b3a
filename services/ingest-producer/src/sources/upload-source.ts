import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { UploadSource } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { openRecords } from "./open-records.js";
import { countedFileBuffer, openParquetSource, parquetFileDetection } from "./parquet-source.js";
import type { OpenedSource } from "./raw-record.js";

/**
 * Streams a spooled upload (decompressed and read like a file, see open-records.ts). Ids derive from the content hash, so uploading the
 * same file again gives the same ids (and the same points) whatever it is called.
 */
export async function openUploadSource(
  source: UploadSource,
  policy: { uploadDir: string; maxRowBytes: number },
  columns?: string[],
): Promise<OpenedSource> {
  const file = path.join(policy.uploadDir, source.upload);
  const size = await stat(file).then(
    (info) => info.size,
    () => {
      throw new AppError("NOT_FOUND", `the spooled upload of ${source.name} is gone; upload the file again`);
    },
  );
  const key = `upload:${source.sha256.slice(0, 16)}`;
  const parquet = await parquetFileDetection(file, source.format, source.name);
  if (parquet) {
    const { file: buffer, read } = await countedFileBuffer(file);
    return openParquetSource(buffer, {
      name: source.name,
      key,
      columns,
      maxRowBytes: policy.maxRowBytes,
      detectedBy: parquet,
      read,
    });
  }
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  let read = 0;
  stream.on("data", (chunk) => {
    read += chunk.length;
  });
  // Compression is told from the bytes here too (`source.gzip` records what the spool saw).
  const { records, reader } = await openRecords(stream, {
    format: source.format,
    name: source.name,
    shownAs: source.name,
    encoding: source.encoding,
    csv: source.csv,
    maxRowBytes: policy.maxRowBytes,
  });
  return {
    records,
    reader,
    key,
    bytes: () => ({ read, total: size }),
  };
}

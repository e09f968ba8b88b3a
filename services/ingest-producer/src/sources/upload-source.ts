import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";
import type { UploadSource } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { asUtf8 } from "./decode-text.js";
import type { OpenedSource } from "./raw-record.js";
import { formatFromName, readRecords } from "./sniff-format.js";

/**
 * Streams a spooled upload (gunzipped when it came gzipped). Ids derive from the content hash, so uploading the
 * same file again gives the same ids (and the same points) whatever it is called.
 */
export async function openUploadSource(
  source: UploadSource,
  policy: { uploadDir: string; maxRowBytes: number },
): Promise<OpenedSource> {
  const file = path.join(policy.uploadDir, source.upload);
  const size = await stat(file).then(
    (info) => info.size,
    () => {
      throw new AppError("NOT_FOUND", `the spooled upload of ${source.name} is gone; upload the file again`);
    },
  );
  const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
  let read = 0;
  stream.on("data", (chunk) => {
    read += chunk.length;
  });
  const body = source.gzip ? stream.pipe(createGunzip()) : stream;
  const format = source.format === "auto" ? formatFromName(source.name) : source.format;
  return {
    records: readRecords(asUtf8(body, source.encoding), format, {
      maxRowBytes: policy.maxRowBytes,
      name: source.name,
      csv: source.csv,
    }),
    key: `upload:${source.sha256.slice(0, 16)}`,
    bytes: () => ({ read, total: size }),
  };
}

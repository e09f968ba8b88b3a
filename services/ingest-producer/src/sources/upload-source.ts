import { stat } from "node:fs/promises";
import path from "node:path";
import type { ReadPosition, UploadSource } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { openLocalFile } from "./file-source.js";
import type { OpenedSource } from "./raw-record.js";

/**
 * Streams a spooled upload (decompressed and read like a file, see open-records.ts). Ids derive from the content hash, so uploading the
 * same file again gives the same ids (and the same points) whatever it is called.
 */
export async function openUploadSource(
  source: UploadSource,
  policy: { uploadDir: string; maxRowBytes: number },
  columns?: string[],
  from?: ReadPosition,
): Promise<OpenedSource> {
  const file = path.join(policy.uploadDir, source.upload);
  const size = await stat(file).then(
    (info) => info.size,
    () => {
      throw new AppError("NOT_FOUND", `the spooled upload of ${source.name} is gone; upload the file again`);
    },
  );
  // Compression is told from the bytes here too (`source.gzip` records what the spool saw).
  return openLocalFile(
    { absolute: file, size, name: source.name, key: `upload:${source.sha256.slice(0, 16)}` },
    source,
    policy.maxRowBytes,
    columns,
    from,
  );
}

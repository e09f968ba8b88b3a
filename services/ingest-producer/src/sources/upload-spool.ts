import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AppError } from "@hybrid/service-kit";

export interface SpooledUpload {
  /** File name in the upload directory (32 hex digits). */
  id: string;
  bytes: number;
  sha256: string;
  /** The body started with the gzip magic bytes (0x1f 0x8b). */
  gzip: boolean;
}

/**
 * Writes an uploaded body to `<dir>/<id>` (through `<id>.part`, renamed once complete, so a half-written upload is
 * never read), hashing it on the way. Past `maxBytes` it stops reading, removes the part file and throws
 * PAYLOAD_TOO_LARGE; any other failure also removes it.
 */
export async function spoolUpload(
  body: AsyncIterable<Uint8Array>,
  options: { dir: string; maxBytes: number },
): Promise<SpooledUpload> {
  await mkdir(options.dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw cannotSpool(error);
  });
  const id = randomBytes(16).toString("hex");
  const part = path.join(options.dir, `${id}.part`);
  const hash = createHash("sha256");
  let bytes = 0;
  const head: number[] = [];
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) return done(uploadTooLarge(options.maxBytes));
      for (let i = 0; head.length < 2 && i < chunk.length; i++) head.push(chunk[i] as number);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // Opened before the pipeline starts: a write stream opening by itself could create the part file after a failed
    // upload had already removed it, leaving it behind.
    const handle = await open(part, "wx");
    await pipeline(body, count, handle.createWriteStream());
    if (bytes === 0)
      throw new AppError("BAD_REQUEST", "the upload is empty: send the file as the request body");
    await rename(part, path.join(options.dir, id));
  } catch (error) {
    await rm(part, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw code && ["EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT", "ENOTDIR"].includes(code)
      ? cannotSpool(error as NodeJS.ErrnoException)
      : error;
  }
  return { id, bytes, sha256: hash.digest("hex"), gzip: head[0] === 0x1f && head[1] === 0x8b };
}

/** The server's side, not the client's: logged as an error, answered 503 so a client may try again later. */
function cannotSpool(error: NodeJS.ErrnoException): AppError {
  return new AppError(
    "UNAVAILABLE",
    `the producer cannot store uploads right now (${error.code ?? "error"} in its upload directory; see UPLOAD_DIR)`,
    { cause: error },
  );
}

export function uploadTooLarge(maxBytes: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `the upload is larger than ${maxBytes} bytes (UPLOAD_MAX_BYTES)`);
}

/** Removes a spool file; a missing one is fine (already removed by an earlier finalize). */
export async function removeUpload(dir: string, id: string): Promise<void> {
  if (/^[0-9a-f]{32}$/.test(id)) await rm(path.join(dir, id), { force: true });
}

import { PassThrough, Readable, type Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { AppError } from "@hybrid/service-kit";
import { Decompress } from "fzstd";
import unbzip2Stream from "unbzip2-stream";

export type Compression = "gzip" | "zstd" | "bzip2";

/** The compression a body's first bytes announce (gzip `1f 8b`, zstd `28 b5 2f fd`, bzip2 `BZh`), if any. */
export function detectCompression(head: Uint8Array): Compression | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  if (
    head[0] === 0x42 &&
    head[1] === 0x5a &&
    head[2] === 0x68 &&
    (head[3] ?? 0) >= 0x31 &&
    (head[3] ?? 0) <= 0x39
  )
    return "bzip2";
  return undefined;
}

/** The library that decompresses each kind, as the job view shows it. */
export const DECOMPRESSOR: Record<Compression, string> = {
  gzip: "node:zlib",
  zstd: "fzstd",
  bzip2: "unbzip2-stream",
};

/**
 * Decompresses `chunks` as `kind`, streaming (Node 20's zlib has gzip but no zstd or bzip2: those come from pure-JS
 * libraries). A damaged or truncated archive fails with BAD_REQUEST naming the source (a retry would read the same
 * bytes); errors of the source itself (a cap, a network failure) pass through unchanged.
 */
export async function* decompress(
  chunks: AsyncIterable<Uint8Array>,
  kind: Compression,
  name: string,
): AsyncGenerator<Uint8Array> {
  const fromSource = new WeakSet<object>();
  const tracked = (async function* () {
    try {
      yield* chunks;
    } catch (error) {
      if (error && typeof error === "object") fromSource.add(error);
      throw error;
    }
  })();
  try {
    if (kind === "zstd") yield* unzstd(tracked);
    else yield* throughStream(tracked, kind === "gzip" ? createGunzip() : (unbzip2Stream() as Transform));
  } catch (error) {
    if (error && typeof error === "object" && fromSource.has(error)) throw error;
    throw new AppError("BAD_REQUEST", `${name} is not a complete ${kind} file: ${(error as Error).message}`, {
      retryable: false,
      cause: error,
    });
  }
}

async function* unzstd(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const stream = new Decompress((data) => {
    out.push(data);
  });
  for await (const chunk of chunks) {
    stream.push(chunk);
    yield* out.splice(0);
  }
  stream.push(new Uint8Array(0), true);
  yield* out.splice(0);
}

/** Pipes `chunks` through `transform` (unbzip2-stream is an old-style stream: read through a PassThrough). */
async function* throughStream(
  chunks: AsyncIterable<Uint8Array>,
  transform: Transform,
): AsyncGenerator<Uint8Array> {
  const input = Readable.from(chunks, { objectMode: false });
  const output = new PassThrough();
  input.on("error", (error) => output.destroy(error));
  transform.on("error", (error: Error) => output.destroy(error));
  yield* input.pipe(transform).pipe(output);
}

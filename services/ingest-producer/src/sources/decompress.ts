import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { AppError } from "@hybrid/service-kit";

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
  zstd: "unsupported",
  bzip2: "unsupported",
};

/**
 * Decompresses `chunks` as `kind`. A damaged or truncated archive fails with BAD_REQUEST (a retry would read the
 * same bytes); a kind with no decompressor here is refused the same way, naming it.
 */
export async function* decompress(
  chunks: AsyncIterable<Uint8Array>,
  kind: Compression,
  name: string,
): AsyncGenerator<Uint8Array> {
  if (kind !== "gzip") {
    throw new AppError("BAD_REQUEST", `${name} is ${kind}-compressed, which this producer cannot read`, {
      retryable: false,
    });
  }
  const input = Readable.from(chunks, { objectMode: false });
  const inflate = createGunzip();
  input.on("error", (error) => inflate.destroy(error));
  try {
    yield* input.pipe(inflate);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("Z_")) throw error;
    throw new AppError("BAD_REQUEST", `${name} is not a complete gzip file: ${(error as Error).message}`, {
      retryable: false,
    });
  }
}

import { createWriteStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { AppError } from "@hybrid/service-kit";
import { x as extractTar } from "tar";

/** What failed to download, from where, and what to do without a network. */
export class ModelDownloadError extends AppError {
  constructor(
    readonly model: string,
    readonly url: string,
    reason: string,
    offlineHint: string,
    cause?: unknown,
  ) {
    super(
      "UNAVAILABLE",
      `cannot download model "${model}" from ${url}: ${reason}. To run offline: ${offlineHint}`,
      {
        retryable: false,
        cause,
      },
    );
  }
}

/** Every source a model was looked for in, and why each failed. */
export class ModelProvisionError extends AppError {
  constructor(
    readonly model: string,
    readonly tried: string[],
    offlineHint: string,
  ) {
    super(
      "UNAVAILABLE",
      `cannot provision model "${model}"; tried ${tried.map((t, k) => `(${k + 1}) ${t}`).join("; ")}. To run offline: ${offlineHint}`,
      { retryable: false },
    );
  }
}

/** Bytes received of a file being downloaded (`total` when the server says). */
export type DownloadProgress = (event: {
  model: string;
  url: string;
  received: number;
  total?: number;
}) => void;

/** A server that does not answer within this long is taken as unreachable (the body may then take its time). */
const RESPONSE_TIMEOUT_MS = 30_000;

async function fetchToFile(
  url: string,
  file: string,
  progress?: (received: number, total?: number) => void,
): Promise<void> {
  const response = await fetch(url, {
    redirect: "follow",
    signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
  }).catch((error: unknown) => {
    throw error instanceof Error && error.name === "TimeoutError"
      ? new Error(`no answer within ${RESPONSE_TIMEOUT_MS / 1000} s`)
      : error;
  });
  if (!response.ok || !response.body) {
    throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  await mkdir(dirname(file), { recursive: true });
  const length = Number(response.headers.get("content-length"));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  let received = 0;
  const body = Readable.fromWeb(response.body as ReadableStream<Uint8Array>);
  if (progress) {
    body.on("data", (chunk: Buffer) => {
      received += chunk.length;
      progress(received, total);
    });
  }
  await pipeline(body, createWriteStream(file));
}

export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/** Works in a temporary sibling of `target` and renames it into place, so a failed download leaves no half model. */
export async function intoPlace(
  cacheDir: string,
  target: string,
  fill: (staging: string) => Promise<string>,
): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(join(cacheDir, ".download-"));
  try {
    const filled = await fill(staging);
    if (!existsSync(target)) await rename(filled, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export interface ArchiveDownload {
  model: string;
  url: string;
  cacheDir: string;
  /** Directory name inside `cacheDir` (and at the archive's top level, as in fastembed's archives). */
  dirName: string;
  offlineHint: string;
  onProgress?: DownloadProgress;
}

/**
 * Downloads a fastembed model archive (`<dirName>/` with the ONNX file and tokenizer files inside, gzipped tar) and
 * unpacks it to `cacheDir/dirName`. Returns that directory; does nothing when it exists.
 */
export async function downloadModelArchive(options: ArchiveDownload): Promise<string> {
  const target = join(options.cacheDir, options.dirName);
  if (existsSync(target)) return target;
  try {
    await intoPlace(options.cacheDir, target, async (staging) => {
      const archive = join(staging, "model.tar.gz");
      const { onProgress, model, url } = options;
      await fetchToFile(
        url,
        archive,
        onProgress && ((received, total) => onProgress({ model, url, received, total })),
      );
      const unpacked = join(staging, "unpacked");
      await mkdir(unpacked);
      await extractTar({ file: archive, cwd: unpacked });
      const entries = await readdir(unpacked, { withFileTypes: true });
      const named = entries.find((e) => e.isDirectory() && e.name === options.dirName);
      const only = entries.length === 1 && entries[0]?.isDirectory() ? entries[0] : undefined;
      const top = named ?? only;
      if (!top) throw new Error(`the archive has no top-level ${options.dirName}/ directory`);
      return join(unpacked, top.name);
    });
  } catch (error) {
    throw new ModelDownloadError(options.model, options.url, reasonOf(error), options.offlineHint, error);
  }
  return target;
}

export interface FilesDownload {
  model: string;
  /** URL of the repository's files; each file is fetched from `${baseUrl}/${file}`. */
  baseUrl: string;
  files: readonly string[];
  cacheDir: string;
  dirName: string;
  offlineHint: string;
}

/** Downloads individual files (a Hugging Face repository's `resolve/main/...`) into `cacheDir/dirName`. */
export async function downloadModelFiles(options: FilesDownload): Promise<string> {
  const target = join(options.cacheDir, options.dirName);
  if (existsSync(target)) return target;
  let current = options.baseUrl;
  try {
    await intoPlace(options.cacheDir, target, async (staging) => {
      const dir = join(staging, options.dirName);
      for (const file of options.files) {
        current = `${options.baseUrl}/${file}`;
        await fetchToFile(current, join(dir, file));
      }
      return dir;
    });
  } catch (error) {
    throw new ModelDownloadError(options.model, current, reasonOf(error), options.offlineHint, error);
  }
  return target;
}

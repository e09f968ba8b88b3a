import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function buildModel(args: string[]) {
  return run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { cwd: packageDir });
}

describe("build-model CLI", () => {
  it("builds once when two processes race for the same cache dir", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "offline-model-cli-"));
    dirs.push(work);
    const cacheDir = path.join(work, "cache");
    const results = await Promise.all([
      buildModel(["--", "--cache-dir", cacheDir]),
      buildModel([`--cache-dir=${cacheDir}`]),
    ]);
    for (const { stdout } of results) {
      expect(JSON.parse(stdout)).toMatchObject({
        dir: path.join(cacheDir, "offline_use-lite"),
        modelPath: path.join(cacheDir, "offline_use-lite", "model.onnx"),
        name: "offline/use-lite",
        dim: 512,
      });
    }
    expect(await readdir(cacheDir)).toEqual(["offline_use-lite"]);
    const manifest = JSON.parse(
      await readFile(path.join(cacheDir, "offline_use-lite", "manifest.json"), "utf8"),
    );
    expect(Object.keys(manifest.files).sort()).toEqual([
      "config.json",
      "model.onnx",
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
  });

  it("exits 2 with usage when --cache-dir is missing", async () => {
    const failure = await buildModel([]).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain("missing --cache-dir");
  });
});

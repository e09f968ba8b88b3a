import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TinyDenseModel, writeTinyDenseModel } from "../test/tiny-models.js";
import { startOnnxRunner } from "./onnx-runner.js";

let root: string;
let model: TinyDenseModel;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "onnx-runner-"));
  model = await writeTinyDenseModel(join(root, "m"), { words: ["a", "b"], dim: 2, output: "token" });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const request = () => ({
  ids: BigInt64Array.from([2n, 4n, 3n]),
  mask: BigInt64Array.from([1n, 1n, 1n]),
  batch: 1,
  seq: 3,
  output: "last_hidden_state",
  reduce: "first" as const,
});

function exitOf(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
}

describe("ONNX runner process", () => {
  it("starts a new process on the next request after its process died", async () => {
    const runner = await startOnnxRunner({ modelPath: join(model.dir, "model.onnx"), threads: 1 });
    try {
      const first = await runner.run(request());
      expect(Array.from(first.data)).toEqual(Array.from(model.table.subarray(4, 6)));
      const pid = runner.pid;
      if (pid === undefined) throw new Error("no pid");
      process.kill(pid, "SIGKILL");
      await exitOf(pid);
      const again = await runner.run(request());
      expect(Array.from(again.data)).toEqual(Array.from(first.data));
      expect(runner.pid).not.toBe(pid);
    } finally {
      await runner.close();
    }
    await expect(runner.run(request())).rejects.toThrow(/is closed/);
  });

  it("reports a model it cannot load", async () => {
    await expect(startOnnxRunner({ modelPath: join(root, "missing.onnx"), threads: 1 })).rejects.toThrow(
      /cannot load ONNX model .*missing\.onnx/,
    );
  });
});

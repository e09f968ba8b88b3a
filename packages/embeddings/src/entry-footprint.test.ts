import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";

const run = promisify(execFile);

/**
 * Every embed worker and the query API import this package; only the ONNX runner's child process runs a model. A
 * runtime import of `fastembed` or `onnxruntime-node` on the way to the entry point maps ONNX Runtime's native
 * library (about 55 MB resident) into each of those processes as well.
 */
describe("the package's entry point", () => {
  it("loads no ONNX Runtime into the importing process", { timeout: 60_000 }, async () => {
    const script = [
      "const { readFileSync } = await import('node:fs');",
      "const embeddings = await import('@hybrid/embeddings');",
      "const maps = readFileSync('/proc/self/maps', 'utf8');",
      "console.log(JSON.stringify({ exports: Object.keys(embeddings).length, ort: maps.includes('libonnxruntime') }));",
    ].join(" ");
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: import.meta.dirname,
    });
    const loaded = z.object({ exports: z.number(), ort: z.boolean() }).parse(JSON.parse(stdout.trim()));
    expect(loaded.exports).toBeGreaterThan(10);
    expect(loaded.ort).toBe(false);
  });
});

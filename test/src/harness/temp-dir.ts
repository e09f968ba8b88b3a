import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trackDir } from "./cleanup.js";

/** A fresh directory under the OS temp dir, removed when the test (or, from beforeAll, the file) ends. */
export function makeTempDir(prefix = "e2e-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  trackDir(dir);
  return dir;
}

import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const HERE = fileURLToPath(new URL(".", import.meta.url));
const REQUIREMENTS = join(HERE, "requirements.txt");
/** Ignored by git (`.cache/`); rebuilt from scratch when missing or when requirements.txt changes. */
const VENV = fileURLToPath(new URL("../../.cache/oracle-venv/", import.meta.url));
const STAMP = join(VENV, "requirements.stamp");

export const EDGE_RUNNER = join(HERE, "edge_runner.py");
export const CLIENT_LOCAL_RUNNER = join(HERE, "client_local_runner.py");

/** Creates (once) the oracles' virtual environment (pinned qdrant-edge-py and qdrant-client); returns its python. */
export async function ensureOracleVenv(systemPython = "python3"): Promise<string> {
  const python = join(VENV, "bin", "python");
  const wanted = readFileSync(REQUIREMENTS, "utf8");
  if (existsSync(python) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === wanted) return python;
  await run(systemPython, ["-m", "venv", "--clear", VENV]);
  await run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS], {
    maxBuffer: 16 * 1024 * 1024,
  });
  writeFileSync(STAMP, wanted);
  return python;
}

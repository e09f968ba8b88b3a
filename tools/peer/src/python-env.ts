import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@hybrid/stack";

const run = promisify(execFile);

export const PYTHON_DIR = join(repoRoot, "tools", "peer", "python");
const REQUIREMENTS = join(PYTHON_DIR, "requirements.txt");
/** Ignored by git (`.cache/`); rebuilt when missing or when requirements.txt changes. */
const VENV = join(repoRoot, ".cache", "peer-venv");
const STAMP = join(VENV, "requirements.stamp");

/** Creates (once) the tutorial stack's virtual environment from the pinned requirements; returns its python. */
export async function ensurePeerVenv(log: (line: string) => void, systemPython = "python3"): Promise<string> {
  const python = join(VENV, "bin", "python");
  const wanted = readFileSync(REQUIREMENTS, "utf8");
  if (existsSync(python) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === wanted) return python;
  log(`creating ${VENV} from ${REQUIREMENTS} (pip, once)`);
  await run(systemPython, ["-m", "venv", "--clear", VENV]);
  await run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS], {
    maxBuffer: 16 * 1024 * 1024,
  });
  writeFileSync(STAMP, wanted);
  return python;
}

/** The versions the run used, for the results file. */
export async function pythonVersions(python: string): Promise<Record<string, string>> {
  const script =
    "import json, sys, importlib.metadata as m; " +
    "print(json.dumps({'python': sys.version.split()[0], " +
    "**{p: m.version(p) for p in ['qdrant-client', 'fastembed', 'onnxruntime', 'fastapi', 'uvicorn']}}))";
  const { stdout } = await run(python, ["-c", script]);
  const parsed: unknown = JSON.parse(stdout);
  if (typeof parsed !== "object" || parsed === null) throw new Error(`unexpected versions: ${stdout}`);
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

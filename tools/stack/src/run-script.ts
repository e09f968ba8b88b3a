import { type ChildProcess, spawn } from "node:child_process";

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunScriptOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Gets the child as soon as it is spawned, so that a hook can stop it. */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs a TypeScript entry point under Node with tsx until it exits: its exit code and all it wrote. */
export function runScript(entry: string, args: string[], options: RunScriptOptions): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    options.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface RunningChild {
  process: ChildProcess;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Sends `signal` and resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnUntilOptions<T> {
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Called with each JSON log line on stdout; the first non-undefined result resolves the spawn. */
  match: (line: Record<string, unknown>) => T | undefined;
  timeoutMs: number;
}

/** Starts `node <args>` and waits for a log line `match` recognises (a pino "listening" line with its port). */
export function spawnNodeUntil<T>(options: SpawnUntilOptions<T>): Promise<{ child: RunningChild; value: T }> {
  const proc = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const child: RunningChild = {
    process: proc,
    output: () => printed,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  proc.stderr?.on("data", (chunk: Buffer) => {
    printed += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      void child.stop("SIGKILL");
      reject(
        new Error(`no expected log line within ${options.timeoutMs} ms; output:\n${printed.slice(-4000)}`),
      );
    }, options.timeoutMs);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      if (!settled)
        reject(new Error(`exited with ${code} before it was ready; output:\n${printed.slice(-4000)}`));
    });
    const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      printed += `${line}\n`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof parsed !== "object" || parsed === null) return;
      const value = options.match(parsed as Record<string, unknown>);
      if (value !== undefined && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, value });
      }
    });
  });
}

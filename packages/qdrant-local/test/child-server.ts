import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  lines: string[];
}

/** Starts `qdrant-local` as a real child process on a free port and waits for its ready line. */
export async function startChildServer(args: string[]): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? code ?? -1));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 30 s: ${lines.join("\n")}`)), 30_000);
    const rl = createInterface({ input: child.stdout as NonNullable<ChildProcess["stdout"]> });
    rl.on("line", (line) => {
      lines.push(line);
      try {
        const entry = JSON.parse(line) as { url?: string; msg?: string };
        if (entry.url && entry.msg?.includes("ready")) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a JSON log line
      }
    });
    child.stderr?.on("data", (d: Buffer) => lines.push(d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before ready: ${lines.join("\n")}`));
    });
  });
  return { url, child, exited, lines };
}

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type ManagedProcess, type SpawnManagedOptions, spawnManaged } from "./managed-process.js";
import { repoRoot } from "./repo-root.js";
import { waitReady } from "./wait-ready.js";

export const QDRANT_LOCAL_ENTRY = join(repoRoot, "packages/qdrant-local/src/main.ts");

export interface QdrantLocalProcessOptions {
  port: number;
  host?: string;
  /** Storage directory (created if missing); in-memory when omitted. */
  storage?: string;
  name?: string;
  env?: Record<string, string | undefined>;
  /** Required on every request but the health checks; handed over in the environment, not on the command line. */
  apiKey?: string | undefined;
  onLine?: SpawnManagedOptions["onLine"];
  color?: number;
  readyTimeoutMs?: number;
  /** More command-line arguments (e.g. `--dense-model NAME` to serve dense inference documents). */
  args?: string[];
}

/** Starts the Qdrant local mode (`packages/qdrant-local`) as a child process and resolves once `GET /` answers. */
export async function startQdrantLocalChild(
  options: QdrantLocalProcessOptions,
): Promise<{ url: string; process: ManagedProcess }> {
  if (!existsSync(QDRANT_LOCAL_ENTRY)) {
    throw new Error(
      `the Qdrant local mode is not in this checkout (${QDRANT_LOCAL_ENTRY}); set QDRANT_URL to a Qdrant instead`,
    );
  }
  const host = options.host ?? "127.0.0.1";
  const args = ["--import", "tsx", QDRANT_LOCAL_ENTRY, "--host", host, "--port", String(options.port)];
  if (options.storage) {
    mkdirSync(options.storage, { recursive: true });
    args.push("--storage", options.storage);
  }
  if (options.args) args.push(...options.args);
  const child = spawnManaged({
    name: options.name ?? "qdrant-local",
    command: process.execPath,
    args,
    cwd: repoRoot,
    env: { ...(options.env ?? process.env), QDRANT__SERVICE__API_KEY: options.apiKey },
    onLine: options.onLine,
    color: options.color,
  });
  const url = `http://${host}:${options.port}`;
  try {
    await waitReady(url, {
      path: "/",
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      abortOn: child.exited,
      name: child.name,
    });
  } catch (error) {
    await child.kill();
    throw withLogs(error, child);
  }
  return { url, process: child };
}

export function withLogs(error: unknown, child: ManagedProcess, lines = 30): Error {
  const tail = child.logs().split("\n").slice(-lines).join("\n");
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${message}\n--- last output of ${child.name} ---\n${tail}`);
}

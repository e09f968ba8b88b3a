import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ManagedProcess, type SpawnManagedOptions, spawnManaged } from "./managed-process.js";
import { repoRoot } from "./repo-root.js";

export const SERVICE_NAMES = ["ingest-producer", "embed-worker", "query-api"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** `services/<name>/src/main.ts`, the entry every service is started from (under tsx, no build needed). */
export function serviceEntry(name: ServiceName): string {
  return join(repoRoot, "services", name, "src/main.ts");
}

export function serviceExists(name: ServiceName): boolean {
  return existsSync(serviceEntry(name));
}

/** The variable a service takes its HTTP port from: the worker serves only health routes, on HEALTH_PORT. */
export function portVariable(name: ServiceName): "PORT" | "HEALTH_PORT" {
  return name === "embed-worker" ? "HEALTH_PORT" : "PORT";
}

export interface ServiceProcessOptions {
  name: ServiceName;
  /** Log prefix; defaults to `name` (the stack uses `embed-worker-1`, `embed-worker-2`, ...). */
  label?: string;
  port: number;
  /** The whole environment of the child (the port variable and HOST are set on top of it). */
  env: Record<string, string | undefined>;
  /** Applied last, over HOST and the port variable too (tests use it to pass a bad PORT on purpose). */
  overrides?: Record<string, string | undefined>;
  host?: string;
  onLine?: SpawnManagedOptions["onLine"];
  color?: number;
}

/** Starts `node --import tsx services/<name>/src/main.ts` from the repo root; returns at once (see `waitReady`). */
export function startServiceProcess(options: ServiceProcessOptions): {
  url: string;
  process: ManagedProcess;
} {
  const host = options.host ?? "127.0.0.1";
  const child = spawnManaged({
    name: options.label ?? options.name,
    command: process.execPath,
    args: ["--import", "tsx", serviceEntry(options.name)],
    cwd: repoRoot,
    env: {
      ...options.env,
      HOST: host,
      [portVariable(options.name)]: String(options.port),
      ...options.overrides,
    },
    onLine: options.onLine,
    color: options.color,
  });
  return { url: `http://${host}:${options.port}`, process: child };
}

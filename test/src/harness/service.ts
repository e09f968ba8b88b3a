import { randomUUID } from "node:crypto";
import {
  type ExitInfo,
  freePort,
  type ManagedProcess,
  type ServiceName,
  startServiceProcess,
  waitReady,
} from "@hybrid/stack";
import { track } from "./cleanup.js";
import { echoLine } from "./echo.js";

export interface StartServiceOptions {
  /** HTTP port (PORT, or HEALTH_PORT for the worker); default: a free port. */
  port?: number;
  /** Wait for `/readyz` before resolving (default false: call `ready()` yourself, or watch `exited`). */
  waitReady?: boolean;
  /** Readiness deadline used by `waitReady: true` (default 120 s). */
  readyTimeoutMs?: number;
  /** Log prefix (default: the service name, plus the port). */
  label?: string;
}

export interface ServiceProcess {
  readonly name: ServiceName;
  /** `http://127.0.0.1:<port>`: the API (producer, query API) or the health server (worker). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly process: ManagedProcess;
  /** Resolves when the process exits (code and signal); never rejects. */
  readonly exited: Promise<ExitInfo>;
  /** Captured stdout + stderr, one `[label] line` per line. */
  logs(): string;
  /** Polls `/readyz` until 200; rejects (with the service's last output) when it exits first or the deadline passes. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait for exit (SIGKILL after `timeoutMs`, default 30 s). */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<ExitInfo>;
}

/**
 * Starts `node --import tsx services/<name>/src/main.ts` from the repo root as a child process, killed when the test (or
 * file) ends. Its environment: this process's, minus PORT/HEALTH_PORT/HOST, plus HOST=127.0.0.1, the port, LOG_PRETTY=false,
 * REDIS_URL (REDIS_URL or the local default), a unique QUEUE_PREFIX, SHUTDOWN_TIMEOUT_S=10, then `env` over all of it
 * (so a test can set a bad PORT on purpose).
 */
export async function startService(
  name: ServiceName,
  env: Record<string, string | undefined> = {},
  options: StartServiceOptions = {},
): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const { PORT: _p, HEALTH_PORT: _h, HOST: _host, ...inherited } = process.env;
  const started = startServiceProcess({
    name,
    label: options.label ?? `${name}:${port}`,
    port,
    env: {
      ...inherited,
      LOG_PRETTY: "false",
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "info",
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: `e2e-${randomUUID().slice(0, 8)}`,
      SHUTDOWN_TIMEOUT_S: "10",
    },
    overrides: env,
    onLine: echoLine,
  });
  const child = started.process;
  const handle: ServiceProcess = {
    name,
    url: started.url,
    port,
    pid: child.pid,
    process: child,
    exited: child.exited,
    logs: () => child.logs(),
    async ready(timeoutMs = options.readyTimeoutMs ?? 120_000) {
      try {
        await waitReady(started.url, { timeoutMs, abortOn: child.exited, name: child.name });
      } catch (error) {
        const tail = child.logs().split("\n").slice(-40).join("\n");
        throw new Error(
          `${error instanceof Error ? error.message : String(error)}\n--- last output ---\n${tail}`,
        );
      }
    },
    stop: (timeoutMs = 30_000) => child.stop(timeoutMs),
    kill: () => child.kill(),
  };
  track({ label: child.name, cleanup: async () => void (await child.kill()), logs: () => child.logs() });
  if (options.waitReady) await handle.ready();
  return handle;
}

import { type ExitInfo, freePort, type ManagedProcess, startQdrantLocalChild } from "@hybrid/stack";
import { track } from "./cleanup.js";
import { echoLine } from "./echo.js";

export interface QdrantLocalProcessOptions {
  /** Storage directory (durable across kill/restart); in-memory when omitted. */
  storage?: string;
  /** Default: a free port. */
  port?: number;
}

export interface QdrantLocalProcess {
  readonly url: string;
  readonly port: number;
  readonly storage: string | undefined;
  readonly process: ManagedProcess;
  readonly pid: number;
  /** SIGTERM (the local mode flushes storage) and wait. */
  stop(): Promise<ExitInfo>;
  /** SIGKILL and wait. */
  kill(): Promise<ExitInfo>;
  /** Starts it again on the same port and storage (stopping it first if running) and waits until it answers. */
  restart(): Promise<void>;
}

/** The Qdrant local mode (`packages/qdrant-local`) as a child process, killed when the test (or file) ends. */
export async function startQdrantLocalProcess(
  options: QdrantLocalProcessOptions = {},
): Promise<QdrantLocalProcess> {
  const port = options.port ?? (await freePort());
  const launch = async () =>
    (
      await startQdrantLocalChild({
        port,
        storage: options.storage,
        name: `qdrant-local:${port}`,
        onLine: echoLine,
      })
    ).process;
  let current = await launch();
  const handle: QdrantLocalProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    storage: options.storage,
    get process() {
      return current;
    },
    get pid() {
      return current.pid;
    },
    stop: () => current.stop(10_000),
    kill: () => current.kill(),
    async restart() {
      if (!current.hasExited()) await current.stop(10_000);
      current = await launch();
    },
  };
  track({
    label: `qdrant-local:${port}`,
    cleanup: async () => void (await current.kill()),
    logs: () => current.logs(),
  });
  return handle;
}

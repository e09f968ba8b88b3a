import { freePort, startQdrantLocalChild } from "@hybrid/stack";
import { echoLine } from "./echo.js";
import { type Restartable, startRestartable } from "./restartable.js";

export interface QdrantLocalProcessOptions {
  /** Storage directory (durable across kill/restart); in-memory when omitted. */
  storage?: string;
  /** Default: a free port. */
  port?: number;
  /** More command-line arguments (e.g. `--dense-model offline/use-lite`). */
  args?: string[];
}

/** `stop()` lets the local mode flush storage; `restart()` keeps the port and storage and waits until it answers. */
export interface QdrantLocalProcess extends Restartable {
  readonly url: string;
  readonly port: number;
  readonly storage: string | undefined;
}

/** The Qdrant local mode (`packages/qdrant-local`) as a child process, killed when the test (or file) ends. */
export async function startQdrantLocalProcess(
  options: QdrantLocalProcessOptions = {},
): Promise<QdrantLocalProcess> {
  const port = options.port ?? (await freePort());
  const child = await startRestartable(`qdrant-local:${port}`, async () => {
    const started = await startQdrantLocalChild({
      port,
      storage: options.storage,
      ...(options.args ? { args: options.args } : {}),
      name: `qdrant-local:${port}`,
      onLine: echoLine,
    });
    return started.process;
  });
  return Object.assign(child, { url: `http://127.0.0.1:${port}`, port, storage: options.storage });
}

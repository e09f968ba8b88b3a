import { type ExitInfo, freePort, type ManagedProcess, startRedisProcess } from "@hybrid/stack";
import { track } from "./cleanup.js";
import { echoLine } from "./echo.js";
import { makeTempDir } from "./temp-dir.js";

export interface RedisServerOptions {
  /** Append-only file on (default true), so a restart keeps acknowledged writes. */
  appendonly?: boolean;
  /** Data directory; a temp dir removed at the end of the test when omitted. */
  dir?: string;
  /** Default: a free port. */
  port?: number;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Current process (a new one after `restart()`). */
  readonly process: ManagedProcess;
  readonly pid: number;
  /** SIGTERM (Redis flushes its AOF and exits) and wait. */
  stop(): Promise<ExitInfo>;
  /** SIGKILL and wait. */
  kill(): Promise<ExitInfo>;
  /** Starts it again on the same port and data dir (stopping it first if it is running) and waits for PONG. */
  restart(): Promise<void>;
}

/** A test-owned `redis-server` on 127.0.0.1 (free port, own data dir), killed when the test (or file) ends. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? makeTempDir("e2e-redis-");
  const appendonly = options.appendonly ?? true;
  const launch = async () =>
    (await startRedisProcess({ port, dir, appendonly, name: `redis:${port}`, onLine: echoLine })).process;
  let current = await launch();
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
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
    label: `redis:${port}`,
    cleanup: async () => void (await current.kill()),
    logs: () => current.logs(),
  });
  return server;
}

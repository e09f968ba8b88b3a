import { freePort, startRedisProcess } from "@hybrid/stack";
import { echoLine } from "./echo.js";
import { type Restartable, startRestartable } from "./restartable.js";
import { makeTempDir } from "./temp-dir.js";

export interface RedisServerOptions {
  /** Append-only file on (default true), so a restart keeps acknowledged writes. */
  appendonly?: boolean;
  /** Data directory; a temp dir removed at the end of the test when omitted. */
  dir?: string;
  /** Default: a free port. */
  port?: number;
}

/** `stop()` lets Redis flush its AOF; `restart()` keeps the port and data dir and waits for PONG. */
export interface RedisServer extends Restartable {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
}

/** A test-owned `redis-server` on 127.0.0.1 (free port, own data dir), killed when the test (or file) ends. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? makeTempDir("e2e-redis-");
  const appendonly = options.appendonly ?? true;
  const child = await startRestartable(`redis:${port}`, async () => {
    const started = await startRedisProcess({
      port,
      dir,
      appendonly,
      name: `redis:${port}`,
      onLine: echoLine,
    });
    return started.process;
  });
  return Object.assign(child, { url: `redis://127.0.0.1:${port}`, port, dir });
}

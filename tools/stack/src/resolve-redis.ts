import { mkdirSync } from "node:fs";
import { freePort, isListening } from "./free-port.js";
import type { SpawnManagedOptions } from "./managed-process.js";
import { findOnPath, pingRedis, startRedisProcess } from "./redis.js";

export type RedisSource = "external" | "redis-server" | "redis-memory-server";

export interface ResolvedRedis {
  url: string;
  source: RedisSource;
  /** Process id of the Redis this stack started (none for an external one). */
  pid?: number;
  stop(): Promise<void>;
}

export interface ResolveRedisOptions {
  /** Used as it is when it answers PING, or when it is not a plain `redis://` URL on this machine (`standsInFor`). */
  url?: string;
  /** Data dir for a Redis of our own (append-only file). */
  dataDir: string;
  /** Port for a Redis of our own: taken from `url` or 6379 when omitted, 0 = any free port. */
  port?: number;
  /** `redis-server` binary; looked up on PATH when undefined, `null` skips straight to redis-memory-server. */
  redisServerBin?: string | null;
  /** Passed to redis-memory-server as the binary to use (REDISMS_SYSTEM_BINARY does the same). */
  memoryServerSystemBinary?: string;
  /** Skip the redis-memory-server fallback entirely (its first use builds Redis from source, which needs the internet). */
  allowMemoryServer?: boolean;
  onLine?: SpawnManagedOptions["onLine"];
  color?: number;
  log?: (line: string) => void;
}

export const HOW_TO_GET_REDIS = [
  "no Redis could be found or started. Any one of these fixes it:",
  "  - point REDIS_URL at a running Redis (e.g. REDIS_URL=redis://127.0.0.1:6379)",
  "  - install redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) so it is on PATH",
  "  - run one in Docker: docker run -p 6379:6379 redis:7 --appendonly yes",
].join("\n");

/**
 * Finds the Redis the stack should use: the one at `url` if it answers, else a `redis-server` of our own (append-only, data in
 * `dataDir`), else one from `redis-memory-server`; throws `HOW_TO_GET_REDIS` when none can be had. A `url` a Redis of our
 * own cannot stand in for (Sentinel, a cluster, TLS, another host) is used as it is: the services wait for it themselves.
 */
export async function resolveRedis(options: ResolveRedisOptions): Promise<ResolvedRedis> {
  const log = options.log ?? (() => {});
  const external = { source: "external", stop: async () => {} } as const;
  if (options.url && !standsInFor(options.url)) return { url: options.url, ...external };
  if (options.url && (await pingRedis(options.url))) return { url: options.url, ...external };
  if (options.url) log(`REDIS_URL ${redact(options.url)} does not answer: starting a Redis of our own`);
  const port = await pickPort(options.port ?? portOf(options.url) ?? 6379);
  const bin =
    options.redisServerBin === undefined ? findOnPath("redis-server") : (options.redisServerBin ?? undefined);
  if (bin) {
    const { url, process: child } = await startRedisProcess({
      port,
      dir: options.dataDir,
      appendonly: true,
      bin,
      name: "redis",
      onLine: options.onLine,
      color: options.color,
    });
    return {
      url,
      source: "redis-server",
      pid: child.pid,
      stop: async () => {
        await child.stop(10_000);
      },
    };
  }
  if (options.allowMemoryServer !== false) {
    log("redis-server is not on PATH: trying redis-memory-server");
    try {
      return await startMemoryServer(port, options);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new Error(`${HOW_TO_GET_REDIS}\n(redis-memory-server failed: ${reason})`);
    }
  }
  throw new Error(HOW_TO_GET_REDIS);
}

async function startMemoryServer(port: number, options: ResolveRedisOptions): Promise<ResolvedRedis> {
  mkdirSync(options.dataDir, { recursive: true });
  const { RedisMemoryServer } = await import("redis-memory-server");
  const server = await RedisMemoryServer.create({
    instance: { port, args: ["--appendonly", "yes", "--dir", options.dataDir] },
    binary: options.memoryServerSystemBinary ? { systemBinary: options.memoryServerSystemBinary } : {},
  });
  const url = `redis://${await server.getHost()}:${await server.getPort()}`;
  const info = server.getInstanceInfo();
  return {
    url,
    source: "redis-memory-server",
    pid: info ? info.childProcess?.pid : undefined,
    stop: async () => {
      await server.stop();
    },
  };
}

/**
 * Whether a Redis the stack starts may stand in for `url` when it does not answer: only a plain `redis://` URL on this
 * machine. `redis+sentinel://`, `redis+cluster://`, `rediss://` and other hosts name a Redis someone runs on purpose.
 */
export function standsInFor(url: string): boolean {
  if (!url.startsWith("redis://")) return false;
  try {
    const host = new URL(url).hostname;
    return ["127.0.0.1", "localhost", "[::1]", "::1", ""].includes(host);
  } catch {
    return false;
  }
}

/** `preferred` when nothing listens there, else (or when 0) a free port. */
export async function pickPort(preferred: number): Promise<number> {
  if (preferred !== 0 && !(await isListening(preferred))) return preferred;
  return freePort();
}

function portOf(url: string | undefined): number | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.port ? Number(parsed.port) : 6379;
  } catch {
    return undefined;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

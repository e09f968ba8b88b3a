import { join } from "node:path";
import { localModeArgs } from "./local-mode-args.js";
import { localModeApiKey } from "./local-mode-key.js";
import type { ExitInfo, ManagedProcess } from "./managed-process.js";
import { startQdrantLocalChild, withLogs } from "./qdrant-local-process.js";
import { repoRoot } from "./repo-root.js";
import { pickPort, type RedisSource, resolveRedis } from "./resolve-redis.js";
import { type ServiceName, serviceExists, startServiceProcess } from "./service-process.js";
import { DEFAULT_RESTART_POLICY, type RestartPolicy, type Supervised, supervise } from "./supervise.js";
import { waitReady } from "./wait-ready.js";

export interface StackPorts {
  /** Query API (default 8000). 0 = any free port; a busy default port falls back to a free one. */
  query?: number;
  /** Ingest producer (default 8001). */
  producer?: number;
  /** Qdrant local mode (default 6333); unused when `qdrantUrl` is given. */
  qdrant?: number;
  /** A Redis of our own (default: the port of `redisUrl`, else 6379); unused when `redisUrl` answers. */
  redis?: number;
}

export interface StackOptions {
  /** Embed worker processes (default 2). */
  workers?: number;
  /** Used when it answers PING; otherwise the stack starts its own Redis. */
  redisUrl?: string;
  /** Used as it is when set; otherwise the stack starts the Qdrant local mode. */
  qdrantUrl?: string;
  /** Where a Redis / local mode of our own keeps its data (`<dataDir>/redis`, `<dataDir>/qdrant`); default `<repo>/.data`. */
  dataDir?: string;
  ports?: StackPorts;
  /** Environment every service starts with (default `process.env`); HOST, ports, REDIS_URL and QDRANT_URL are set on top. */
  baseEnv?: Record<string, string | undefined>;
  /** Extra variables for every service, applied last (DATA_DIRS, QUEUE_PREFIX, DENSE_MODEL, LOG_LEVEL, ...). */
  env?: Record<string, string | undefined>;
  /** Receives every (prefixed) output line of every child and the runner's own notes; default: stdout. */
  onLine?: (line: string) => void;
  /** Coloured prefixes (default: when stdout is a terminal and NO_COLOR is unset). */
  color?: boolean;
  /** How long the services get to become ready (default 180 s: the first start builds the offline model). */
  readyTimeoutMs?: number;
  /** How long `stop()` waits for each child after SIGTERM before SIGKILL (default 15 s). */
  stopTimeoutMs?: number;
  /** `redis-server` binary (default: looked up on PATH; `null` = do not use one). */
  redisServerBin?: string | null;
  /** How a crashed service or local mode is restarted, and when it is given up on (default `DEFAULT_RESTART_POLICY`). */
  restart?: Partial<RestartPolicy>;
  /**
   * Called once when a child keeps crashing (more than `restart.maxCrashes` within `restart.windowMs`); the CLI stops
   * everything then. `message` names the child.
   */
  onGiveUp?: (name: string, message: string, last: ExitInfo) => void;
}

export interface StackChild {
  name: string;
  /** The current pid: updated when a crashed child is restarted. */
  pid: number;
  url?: string;
}

export interface RunningStack {
  producerUrl: string;
  queryUrl: string;
  qdrantUrl: string;
  redisUrl: string;
  /** Health URL of each embed worker. */
  workerUrls: string[];
  redisSource: RedisSource;
  qdrantSource: "external" | "local-mode";
  /** Every child process the stack started (Redis, local mode, services) with its pid. */
  children: StackChild[];
  /** Services whose `main.ts` is not in this checkout yet, so they were not started. */
  missing: ServiceName[];
  /** SIGTERM to the services, then the local mode, then our Redis; SIGKILL after `stopTimeoutMs`. Idempotent. */
  stop(): Promise<void>;
}

const COLORS = { redis: 31, qdrant: 34, producer: 36, query: 32, workers: [33, 35, 93, 95, 96, 92] } as const;

/** Starts the whole system as child processes and resolves once every part answers its readiness check. */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const workers = options.workers ?? 2;
  const dataDir = options.dataDir ?? join(repoRoot, ".data");
  const ports = options.ports ?? {};
  const useColor = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const write = options.onLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const note = (line: string) => write(useColor ? `\x1b[1m[stack]\x1b[0m ${line}` : `[stack] ${line}`);
  const color = (code: number) => (useColor ? code : undefined);
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;

  const restartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
  const supervised: Supervised[] = [];
  const children: StackChild[] = [];
  const stopSteps: Array<() => Promise<void>> = [];
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      const services = supervised.filter((p) => !p.name.startsWith("qdrant"));
      await Promise.all(services.map((p) => p.stop(stopTimeoutMs)));
      for (const step of stopSteps.reverse()) await step();
      note("stopped");
    })();
    return stopped;
  };
  // A child that crashes before it is ready fails the start (waitReady aborts on its exit); once up, it is restarted.
  const watch = (
    entry: StackChild,
    first: ManagedProcess,
    restart: () => Promise<ManagedProcess>,
    ready?: (child: ManagedProcess) => Promise<unknown>,
  ) => {
    children.push(entry);
    const child = supervise(first, {
      name: entry.name,
      restart,
      ready,
      policy: restartPolicy,
      log: note,
      onRestart: (next) => {
        entry.pid = next.pid;
      },
      onGiveUp: (message, last) => {
        if (stopping) return;
        note(message);
        options.onGiveUp?.(entry.name, message, last);
      },
    });
    supervised.push(child);
    return child;
  };

  try {
    // allSettled, not all: if one side fails the other must finish starting (and register its stop step) before we stop.
    const [redisResult, qdrantResult] = await Promise.allSettled([
      (async () => {
        const resolved = await resolveRedis({
          url: options.redisUrl,
          dataDir: join(dataDir, "redis"),
          port: ports.redis,
          redisServerBin: options.redisServerBin,
          onLine: write,
          color: color(COLORS.redis),
          log: note,
        });
        stopSteps.push(resolved.stop);
        if (resolved.pid) children.push({ name: "redis", pid: resolved.pid, url: resolved.url });
        note(
          `redis: ${resolved.source === "external" ? "using" : `started (${resolved.source})`} ${resolved.url}`,
        );
        return resolved;
      })(),
      (async () => {
        if (options.qdrantUrl) {
          note(`qdrant: using ${options.qdrantUrl}`);
          return { url: options.qdrantUrl, source: "external" as const, apiKey: undefined };
        }
        const storage = join(dataDir, "qdrant");
        const { key, generated } = localModeApiKey({ ...(options.baseEnv ?? process.env), ...options.env });
        const localMode = {
          apiKey: key,
          port: await pickPort(ports.qdrant ?? 6333),
          storage,
          args: localModeArgs({ ...(options.baseEnv ?? process.env), ...options.env }),
          onLine: write,
          color: color(COLORS.qdrant),
          env: options.baseEnv ?? process.env,
        };
        const started = await startQdrantLocalChild(localMode);
        const child = watch(
          { name: "qdrant-local", pid: started.process.pid, url: started.url },
          started.process,
          async () => (await startQdrantLocalChild(localMode)).process,
        );
        stopSteps.push(() => child.stop(stopTimeoutMs));
        const auth = key ? (generated ? ", API key generated for this run" : ", API key QDRANT_API_KEY") : "";
        note(`qdrant: started the local mode at ${started.url} (storage ${storage}${auth})`);
        return { url: started.url, source: "local-mode" as const, apiKey: generated ? key : undefined };
      })(),
    ]);
    if (redisResult.status === "rejected") throw redisResult.reason;
    if (qdrantResult.status === "rejected") throw qdrantResult.reason;
    const redis = redisResult.value;
    const qdrant = qdrantResult.value;

    const serviceEnv = {
      ...withoutStackVariables(options.baseEnv ?? process.env),
      SHUTDOWN_TIMEOUT_S: String(Math.max(1, Math.floor(stopTimeoutMs / 1000) - 2)),
      ...(useColor ? { LOG_PRETTY: "true" } : {}),
      REDIS_URL: redis.url,
      QDRANT_URL: qdrant.url,
      ...options.env,
      // A generated key of the local mode reaches the services this way; a QDRANT_API_KEY of the caller is there already.
      ...(qdrant.apiKey ? { QDRANT_API_KEY: qdrant.apiKey } : {}),
    };
    const plan: Array<{ name: ServiceName; label: string; port: number; color: number }> = [
      {
        name: "ingest-producer",
        label: "ingest-producer",
        port: await pickPort(ports.producer ?? 8001),
        color: COLORS.producer,
      },
      ...(await Promise.all(
        Array.from({ length: workers }, async (_, i) => ({
          name: "embed-worker" as const,
          label: `embed-worker-${i + 1}`,
          port: await pickPort(0),
          color: COLORS.workers[i % COLORS.workers.length] ?? 33,
        })),
      )),
      {
        name: "query-api",
        label: "query-api",
        port: await pickPort(ports.query ?? 8000),
        color: COLORS.query,
      },
    ];
    const missing = [...new Set(plan.map((p) => p.name).filter((name) => !serviceExists(name)))];
    for (const name of missing)
      note(`${name}: services/${name}/src/main.ts is not in this checkout yet: not started`);

    const started = plan
      .filter((p) => !missing.includes(p.name))
      .map((p) => {
        const spawn = () =>
          startServiceProcess({
            name: p.name,
            label: p.label,
            port: p.port,
            // The query API's ingestion page reaches the producer through it.
            env:
              p.name === "query-api" && !missing.includes("ingest-producer")
                ? { PRODUCER_URL: `http://127.0.0.1:${plan[0]?.port ?? 8001}`, ...serviceEnv }
                : serviceEnv,
            onLine: write,
            color: color(p.color),
          });
        const service = spawn();
        watch(
          { name: p.label, pid: service.process.pid, url: service.url },
          service.process,
          async () => spawn().process,
          (next) =>
            waitReady(service.url, {
              timeoutMs: options.readyTimeoutMs ?? 180_000,
              abortOn: next.exited,
              name: p.label,
            }),
        );
        return { ...p, ...service };
      });
    await Promise.all(
      started.map(async (s) => {
        try {
          await waitReady(s.url, {
            timeoutMs: options.readyTimeoutMs ?? 180_000,
            abortOn: s.process.exited,
            name: s.label,
          });
        } catch (error) {
          throw withLogs(error, s.process);
        }
        note(`${s.label} ready at ${s.url}`);
      }),
    );

    const urlOf = (name: ServiceName, fallbackPort: number) =>
      started.find((s) => s.name === name)?.url ?? `http://127.0.0.1:${fallbackPort}`;
    const producerPlan = plan[0];
    const queryPlan = plan[plan.length - 1];
    return {
      producerUrl: urlOf("ingest-producer", producerPlan?.port ?? 8001),
      queryUrl: urlOf("query-api", queryPlan?.port ?? 8000),
      qdrantUrl: qdrant.url,
      redisUrl: redis.url,
      workerUrls: started.filter((s) => s.name === "embed-worker").map((s) => s.url),
      redisSource: redis.source,
      qdrantSource: qdrant.source,
      children,
      missing,
      stop,
    };
  } catch (error) {
    note(`start failed: stopping what was started`);
    await stop();
    throw error;
  }
}

/** The runner decides these per child; a PORT exported in the caller's shell must not leak into every service. */
function withoutStackVariables(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const { PORT: _port, HEALTH_PORT: _health, HOST: _host, ...rest } = env;
  return rest;
}

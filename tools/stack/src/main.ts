import { loadConfig } from "@hybrid/config";
import { runDemo } from "./demo.js";
import { killAllSync } from "./managed-process.js";
import { parseStackArgs, StackEnv } from "./stack-env.js";
import { type RunningStack, startStack } from "./start-stack.js";

// `pnpm start [--workers N] [--demo]`: the whole system on this machine, until Ctrl-C.
const { env, args } = readSettings();
let stack: RunningStack | undefined;
let stopping = false;

const shutdown = async (reason: string, code: number) => {
  if (stopping) {
    console.error(`[stack] ${reason} again: killing everything now`);
    killAllSync();
    process.exit(1);
  }
  stopping = true;
  console.log(`[stack] ${reason}: stopping`);
  // Services get SIGTERM, then SIGKILL after STOP_TIMEOUT_S; then the local mode and Redis the same: this bounds it all.
  setTimeout(
    () => {
      console.error("[stack] stop took too long: killing everything");
      killAllSync();
      process.exit(1);
    },
    env.STOP_TIMEOUT_S * 3000 + 5000,
  ).unref();
  await stack?.stop();
  process.exit(code);
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(signal, 0));

try {
  stack = await startStack({
    workers: args.workers ?? env.WORKERS,
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    qdrantUrl: env.QDRANT_URL,
    dataDir: env.STACK_DATA_DIR,
    ports: { query: env.QUERY_PORT, producer: env.PRODUCER_PORT, qdrant: env.QDRANT_PORT },
    stopTimeoutMs: env.STOP_TIMEOUT_S * 1000,
    restart: {
      maxCrashes: env.RESTART_MAX_CRASHES,
      windowMs: env.RESTART_WINDOW_S * 1000,
      initialDelayMs: env.RESTART_BACKOFF_MS,
      maxDelayMs: env.RESTART_BACKOFF_MAX_MS,
    },
    onGiveUp: (name) => void shutdown(`${name} keeps crashing`, 1),
  });
} catch (error) {
  console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

console.log(
  [
    "",
    "[stack] ready (Ctrl-C stops everything):",
    `  query API        ${stack.queryUrl}   (search page /, API docs /docs)`,
    `  ingest producer  ${stack.producerUrl}   (API docs /docs, queues /admin/queues)`,
    `  qdrant           ${stack.qdrantUrl}   (${stack.qdrantSource})`,
    `  redis            ${stack.redisUrl}   (${stack.redisSource})`,
    `  embed workers    ${stack.workerUrls.join(" ") || "none"}`,
    ...stack.children.map((c) => `  pid ${c.pid}  ${c.name}`),
    "",
  ].join("\n"),
);

if (args.demo) {
  try {
    await runDemo({ producerUrl: stack.producerUrl, queryUrl: stack.queryUrl });
  } catch (error) {
    console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readSettings() {
  try {
    return { env: loadConfig(StackEnv, process.env), args: parseStackArgs(process.argv.slice(2)) };
  } catch (error) {
    // One line naming what is wrong, no stack trace.
    console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

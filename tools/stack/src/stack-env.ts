import { z } from "zod";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/** Environment of `pnpm start` (the runner itself; the services read their own variables, passed through). */
export const StackEnv = z.object({
  /** Embed worker processes to start. */
  WORKERS: z.coerce.number().int().min(0).max(32).default(2),
  /** Redis to use when it answers; otherwise the runner starts its own on this URL's port. */
  REDIS_URL: z.string().optional(),
  /** Qdrant to use; when unset the runner starts the local mode. */
  QDRANT_URL: z.string().url().optional(),
  /** Query API port. */
  QUERY_PORT: port(8000),
  /** Ingest producer port. */
  PRODUCER_PORT: port(8001),
  /** Local mode port (when QDRANT_URL is unset). */
  QDRANT_PORT: port(6333),
  /** Seconds each child gets after SIGTERM before SIGKILL (services are told a little less as their SHUTDOWN_TIMEOUT_S). */
  STOP_TIMEOUT_S: z.coerce.number().int().min(1).max(600).default(15),
  /** A crashed service or local mode is restarted; more crashes than this within RESTART_WINDOW_S stop the stack. */
  RESTART_MAX_CRASHES: z.coerce.number().int().min(0).max(1000).default(5),
  /** The window (seconds) crashes are counted in; older crashes are forgotten, and the backoff starts over. */
  RESTART_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Delay before the first restart (ms), doubled for each further crash in the window. */
  RESTART_BACKOFF_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /** Cap of the restart delay (ms). */
  RESTART_BACKOFF_MAX_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Where our own Redis and local mode keep their data. */
  STACK_DATA_DIR: z.string().min(1).optional(),
});
export type StackEnv = z.output<typeof StackEnv>;

/** `--workers N` and `--demo` / `--no-wait`-style flags; unknown arguments are an error naming them. */
export function parseStackArgs(argv: string[]): { workers?: number; demo: boolean } {
  const result: { workers?: number; demo: boolean } = { demo: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") continue;
    if (arg === "--demo") result.demo = true;
    else if (arg === "--workers" || arg?.startsWith("--workers=")) {
      const value = arg.includes("=") ? arg.slice("--workers=".length) : argv[++i];
      const workers = Number(value);
      if (!Number.isInteger(workers) || workers < 0)
        throw new Error(`--workers wants a whole number >= 0, got ${value}`);
      result.workers = workers;
    } else throw new Error(`unknown argument ${arg} (known: --workers N, --demo)`);
  }
  return result;
}

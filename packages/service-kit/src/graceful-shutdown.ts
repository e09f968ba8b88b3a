import type { Logger } from "pino";

export interface ShutdownOptions {
  logger: Logger;
  /** After this long the process exits with code 1 even if cleanup has not finished. */
  timeoutMs: number;
  /** Steps run in order: stop taking work first, close connections last. */
  steps: Array<{ name: string; run: () => Promise<unknown> }>;
}

/**
 * Runs `steps` once on the first SIGTERM or SIGINT, then exits 0; a second signal or the timeout exits 1.
 * Returns the function itself so `main` can also call it (for example after a fatal error).
 */
export function installGracefulShutdown({
  logger,
  timeoutMs,
  steps,
}: ShutdownOptions): (reason: string) => Promise<void> {
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) {
      logger.warn({ reason }, "second stop request: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ reason, timeoutMs }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out: exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    let code = 0;
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        code = 1;
        logger.error({ err: error, step: step.name }, "shutdown step failed");
      }
    }
    logger.info("stopped");
    logger.flush?.();
    process.exit(code);
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void shutdown(signal));
  return shutdown;
}

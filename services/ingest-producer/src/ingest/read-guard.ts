import { AppError } from "@hybrid/service-kit";

export interface ReadGuardOptions {
  /** A source step (opening it, waiting for its next record) that moves no bytes for this long ends the read. */
  idleTimeoutMs: number;
  /** Called every `checkEveryMs` while the read runs; resolves true once the ingestion is cancelled. */
  check: () => Promise<boolean>;
  /** Default: a quarter of the idle timeout, at most 500 ms. */
  checkEveryMs?: number;
}

/**
 * Bounds a read job's waits on its source. The source gets `signal` (so an aborted fetch releases its socket) and
 * every wait on it goes through `step`, which rejects as soon as the read is cancelled or the source has been idle
 * too long, even where a source ignores the signal. Only time spent inside `step` counts as idle: a read paused by
 * backpressure is waiting on the queue, not on its source.
 */
export interface ReadGuard {
  /** Aborted when the read is cancelled or its source stalls: for the source's own requests. */
  readonly signal: AbortSignal;
  /** Aborted only when the read is cancelled: for the queue side, which still queues rows read before a stall. */
  readonly cancelSignal: AbortSignal;
  /** True once the read was stopped because its ingestion was cancelled. */
  readonly cancelled: boolean;
  /** The idle-timeout error, once the source has stalled. */
  readonly timedOut: AppError | undefined;
  step<T>(work: Promise<T>): Promise<T>;
  /** Bytes the source has consumed so far; bytes moving resets the idle clock (a long row arriving slowly is fine). */
  watchBytes(read: () => number): void;
  /** Stops the checks; resolves once a check in flight has finished, so none writes after the read ended. */
  close(): Promise<void>;
}

export function createReadGuard(options: ReadGuardOptions): ReadGuard {
  const controller = new AbortController();
  const cancelController = new AbortController();
  let cancelled = false;
  let timedOut: AppError | undefined;
  let bytesRead = () => 0;
  let waiting = 0;
  let idleSince = Date.now();
  let lastBytes = 0;
  let checking: Promise<void> | undefined;

  const tick = () => {
    if (controller.signal.aborted) return;
    if (waiting > 0) {
      const bytes = bytesRead();
      if (bytes !== lastBytes) {
        lastBytes = bytes;
        idleSince = Date.now();
      } else if (Date.now() - idleSince >= options.idleTimeoutMs) {
        timedOut = new AppError(
          "TIMEOUT",
          `the source sent no data for ${options.idleTimeoutMs} ms (SOURCE_IDLE_TIMEOUT_MS)`,
          // A source stalled this long seldom recovers in seconds; a retry would hold a read slot as long again.
          { retryable: false },
        );
        controller.abort(timedOut);
        return;
      }
    }
    if (checking) return;
    checking = options
      .check()
      .then(
        (isCancelled) => {
          if (!isCancelled || controller.signal.aborted) return;
          cancelled = true;
          const reason = new Error("the ingestion was cancelled");
          cancelController.abort(reason);
          controller.abort(reason);
        },
        // Redis trouble surfaces in the read loop's own writes; the guard only stops reads.
        () => undefined,
      )
      .finally(() => {
        checking = undefined;
      });
  };
  const every = options.checkEveryMs ?? Math.max(10, Math.min(500, Math.floor(options.idleTimeoutMs / 4)));
  const timer = setInterval(tick, every);

  return {
    signal: controller.signal,
    cancelSignal: cancelController.signal,
    get cancelled() {
      return cancelled;
    },
    get timedOut() {
      return timedOut;
    },
    watchBytes(read) {
      bytesRead = read;
      lastBytes = read();
    },
    step(work) {
      if (waiting === 0) idleSince = Date.now();
      waiting += 1;
      const signal = controller.signal;
      return new Promise((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
        work.then(resolve, reject).finally(() => {
          waiting -= 1;
          signal.removeEventListener("abort", onAbort);
        });
      });
    },
    async close() {
      clearInterval(timer);
      await checking;
    },
  };
}

export interface WaitReadyOptions {
  /** Give up after this long (default 120 s: services load ONNX models before they are ready). */
  timeoutMs?: number;
  intervalMs?: number;
  /** Path polled on `url` (default `/readyz`). */
  path?: string;
  /** Stop waiting early when this settles (e.g. the process's `exited` promise): the error names the reason. */
  abortOn?: Promise<unknown>;
  /** Used in error messages. */
  name?: string;
}

/** Polls `url + path` until it answers 2xx; rejects with the last status or error after `timeoutMs`. */
export async function waitReady(url: string, options: WaitReadyOptions = {}): Promise<void> {
  const { timeoutMs = 120_000, intervalMs = 200, path = "/readyz", name = url } = options;
  const target = new URL(path, url).toString();
  const deadline = Date.now() + timeoutMs;
  let aborted: string | undefined;
  void options.abortOn?.then(
    (value) => {
      aborted = `stopped before it was ready (${JSON.stringify(value)})`;
    },
    (error: unknown) => {
      aborted = `stopped before it was ready (${String(error)})`;
    },
  );
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (aborted) throw new Error(`${name}: ${aborted}; last: ${last}`);
    try {
      const response = await fetch(target, { signal: AbortSignal.timeout(Math.max(1000, intervalMs * 5)) });
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${name}: ${target} not ready after ${timeoutMs} ms; last: ${last}`);
}

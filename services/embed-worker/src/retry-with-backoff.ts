export interface BackoffOptions {
  /** Tries in all (1 = no retry). */
  attempts: number;
  /** Delay before the second try; doubles each time. */
  baseMs: number;
  /** Ceiling of one delay. */
  maxMs: number;
}

export interface RetryHooks {
  /** Whether `error` is worth another try; when false it is thrown at once. */
  shouldRetry: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Delay before try `attempt + 1` (attempt is 1-based): base * 2^(attempt-1), capped, with up to 20% jitter off. */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs }: BackoffOptions,
  random = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exponential * (1 - 0.2 * random()));
}

/** Runs `fn` until it succeeds, throws a non-retryable error, or has used `attempts` tries (then the last error). */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  options: BackoffOptions,
  hooks: RetryHooks,
): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !hooks.shouldRetry(error)) throw error;
      const delayMs = backoffDelay(attempt, options);
      hooks.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

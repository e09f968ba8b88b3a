import { AppError } from "@hybrid/service-kit";

/**
 * Holds the models once they have loaded. The HTTP server starts before the models finish loading (so `/healthz`
 * answers at once); until `set` is called, searches answer 503 and `/readyz` reports the models as loading.
 */
export interface EncoderSlot<T> {
  set(value: T): void;
  /** The loaded value, or a 503 UNAVAILABLE AppError while it is still loading. */
  get(): T;
  /** For readiness checks: resolves once loaded, rejects with the loading state otherwise. */
  check(): Promise<void>;
  fail(error: unknown): void;
}

export function createEncoderSlot<T>(): EncoderSlot<T> {
  let value: T | undefined;
  let failure: string | undefined;
  return {
    set(v) {
      value = v;
    },
    fail(error) {
      failure = error instanceof Error ? error.message : String(error);
    },
    get() {
      if (value !== undefined) return value;
      throw new AppError(
        "UNAVAILABLE",
        failure ? `models failed to load: ${failure}` : "models are still loading",
      );
    },
    async check() {
      if (value !== undefined) return;
      throw new Error(failure ? `failed: ${failure}` : "loading");
    },
  };
}

import { AppError, isAppError } from "@hybrid/service-kit";
import { qdrantStatusOf } from "@hybrid/store";

/**
 * What a failed store call (already an `AppError`, see `@hybrid/store`'s `toAppError`) means to an API client:
 * Qdrant's own 5xx answered as 502 UPSTREAM (the store answered, badly; unreachable stays 503 and a timeout 504), an
 * unknown collection as 404 naming the request's `field`; the rest as it is.
 */
export function toUpstreamError(error: unknown, collection: string, field = "collection"): unknown {
  if (!isAppError(error)) return error;
  const status = qdrantStatusOf(error);
  if (status !== undefined && status >= 500) {
    return new AppError("UPSTREAM", error.message, { cause: error, retryable: true });
  }
  if (error.code === "NOT_FOUND") {
    return new AppError("NOT_FOUND", `collection "${collection}" not found`, {
      cause: error,
      details: { field },
    });
  }
  return error;
}

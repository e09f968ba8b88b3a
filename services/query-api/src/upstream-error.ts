import { AppError } from "@hybrid/service-kit";
import { toAppError } from "@hybrid/store";

/**
 * What a failed Qdrant call means to an API client: Qdrant's 4xx answered as 4xx with Qdrant's message (an unknown
 * collection as 404 naming `collection`), Qdrant's 5xx as 502, the client's timeout as 504, an unreachable store as 503.
 */
export function toUpstreamError(
  error: unknown,
  action: string,
  collection: string,
  field = "collection",
): AppError {
  const appError = toAppError(error, action);
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 500) {
    return new AppError("UPSTREAM", appError.message, { cause: error, retryable: true });
  }
  if (appError.code === "NOT_FOUND") {
    return new AppError("NOT_FOUND", `collection "${collection}" not found`, {
      cause: error,
      details: { field },
    });
  }
  return appError;
}

/** The HTTP status Qdrant answered, found on the error or along its `cause` chain (store helpers wrap it). */
function httpStatusOf(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if ("status" in current && typeof current.status === "number") return current.status;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

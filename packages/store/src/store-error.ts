import { AppError, type ErrorCode, isAppError, networkCodeOf } from "@hybrid/service-kit";
import {
  QdrantClientResourceExhaustedError,
  QdrantClientTimeoutError,
  QdrantClientUnexpectedResponseError,
} from "@qdrant/js-client-rest";

/**
 * Translates what the Qdrant client throws into the project's `AppError`:
 * - an HTTP answer 4xx: BAD_REQUEST (400, 422), NOT_FOUND (404), CONFLICT (409), UPSTREAM (401/403, a wrong
 *   API key), all non-retryable; 429 RATE_LIMITED and 408 TIMEOUT, retryable;
 * - 5xx, connection refused/reset, DNS failures: UNAVAILABLE, retryable;
 * - the client's timeout: TIMEOUT, retryable;
 * - anything else: INTERNAL, non-retryable (a bug, not the store's weather).
 * The message carries Qdrant's own error text (`status.error` of the body) where there is one.
 */
export function toAppError(error: unknown, action = "Qdrant request"): AppError {
  if (isAppError(error)) return error;
  const cause = error;
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const reason = qdrantReason(error) ?? (error instanceof Error ? error.message : "");
    const message = `${action} failed: Qdrant answered ${status}${reason ? `: ${reason}` : ""}`;
    const code = codeForStatus(status);
    return new AppError(code, message, {
      cause,
      retryable: status >= 500 || status === 429 || status === 408,
    });
  }
  if (error instanceof QdrantClientTimeoutError) {
    return new AppError("TIMEOUT", `${action} timed out`, { cause });
  }
  if (error instanceof QdrantClientResourceExhaustedError) {
    return new AppError(
      "RATE_LIMITED",
      `${action} refused: Qdrant asks to retry after ${error.retry_after}s`,
      {
        cause,
        details: { retryAfterS: error.retry_after },
      },
    );
  }
  if (error instanceof QdrantClientUnexpectedResponseError) {
    return new AppError("UPSTREAM", `${action} failed: ${firstLine(error.message)}`, {
      cause,
      retryable: true,
    });
  }
  const network = networkCodeOf(error);
  if (network !== undefined) {
    return new AppError("UNAVAILABLE", `${action} failed: Qdrant unreachable (${network})`, { cause });
  }
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) {
    return new AppError("TIMEOUT", `${action} timed out`, { cause });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError("INTERNAL", `${action} failed: ${message}`, { cause, retryable: false });
}

function codeForStatus(status: number): ErrorCode {
  if (status >= 500) return "UNAVAILABLE";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 429) return "RATE_LIMITED";
  if (status === 408) return "TIMEOUT";
  if (status === 401 || status === 403) return "UPSTREAM";
  return "BAD_REQUEST";
}

/** The client's `ApiError` (not exported by the client package) is recognised by its shape: `status` + `data`. */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error) || !("data" in error))
    return undefined;
  const { status } = error;
  return typeof status === "number" && status >= 400 && status < 600 ? status : undefined;
}

/** Qdrant answers errors as `{"status": {"error": "..."}}`. */
function qdrantReason(error: unknown): string | undefined {
  const data = (error as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return typeof data === "string" && data ? data : undefined;
  const status = (data as { status?: unknown }).status;
  if (typeof status === "object" && status !== null) {
    const text = (status as { error?: unknown }).error;
    if (typeof text === "string") return text;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}

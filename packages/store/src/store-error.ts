import { AppError, type ErrorCode, isAppError, networkCodeOf } from "@hybrid/service-kit";
import type { z } from "zod";

/** Qdrant's answer with an HTTP error status, as the connection receives it (`data`: the parsed body). */
export class QdrantHttpError extends Error {
  override readonly name = "QdrantHttpError";
  constructor(
    readonly status: number,
    readonly data: unknown,
    /** Seconds from a `retry-after` header (429). */
    readonly retryAfterS?: number,
  ) {
    super(`Qdrant answered ${status}`);
  }
}

/**
 * Translates a failed Qdrant call into the project's `AppError`, the one translation for reads and writes:
 * - an HTTP answer 4xx: BAD_REQUEST (400, 422), NOT_FOUND (404), CONFLICT (409), UPSTREAM (401/403, a wrong
 *   API key), all non-retryable; 429 RATE_LIMITED and 408 TIMEOUT, retryable;
 * - 5xx, connection refused/reset, DNS failures: UNAVAILABLE, retryable;
 * - undici's header or body timeout: TIMEOUT, retryable;
 * - anything else: INTERNAL, non-retryable (a bug, not the store's weather).
 * The message carries Qdrant's own error text (`status.error` of the body) where there is one; the `QdrantHttpError`
 * stays the `cause` (see `qdrantStatusOf`).
 */
export function toAppError(error: unknown, action = "Qdrant request"): AppError {
  if (isAppError(error)) return error;
  const cause = error;
  if (error instanceof QdrantHttpError) {
    const { status } = error;
    const reason = qdrantReason(error.data);
    const message = `${action} failed: Qdrant answered ${status}${reason ? `: ${reason}` : ""}`;
    return new AppError(codeForStatus(status), message, {
      cause,
      retryable: status >= 500 || status === 429 || status === 408,
      ...(error.retryAfterS !== undefined ? { details: { retryAfterS: error.retryAfterS } } : {}),
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new AppError("TIMEOUT", `${action} timed out`, { cause });
  }
  const network = networkCodeOf(error);
  if (network !== undefined) {
    return new AppError("UNAVAILABLE", `${action} failed: Qdrant unreachable (${network})`, { cause });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError("INTERNAL", `${action} failed: ${message}`, { cause, retryable: false });
}

/** An answer of a shape this package does not know: a proxy's page, another API version. Retryable UPSTREAM. */
export function unexpectedAnswer(action: string, issues: z.ZodError): AppError {
  const first = issues.issues[0];
  const where = first ? ` (${first.path.join(".") || "result"}: ${first.message})` : "";
  return new AppError("UPSTREAM", `${action} failed: Qdrant answered in an unexpected shape${where}`, {
    cause: issues,
    retryable: true,
  });
}

/** The HTTP status Qdrant answered, for an error thrown by this package; undefined when it did not answer. */
export function qdrantStatusOf(error: unknown): number | undefined {
  const cause = isAppError(error) ? error.cause : error;
  return cause instanceof QdrantHttpError ? cause.status : undefined;
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

/** Qdrant answers errors as `{"status": {"error": "..."}}`; a proxy may answer plain text. */
function qdrantReason(data: unknown): string | undefined {
  if (typeof data === "string") return data.trim() ? firstLine(data.trim()) : undefined;
  if (typeof data !== "object" || data === null || !("status" in data)) return undefined;
  const { status } = data;
  if (
    typeof status === "object" &&
    status !== null &&
    "error" in status &&
    typeof status.error === "string"
  ) {
    return status.error;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}

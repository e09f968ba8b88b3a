/** What went wrong, as the edges (HTTP, queues) need to know it. */
export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "HEADERS_TOO_LARGE"
  | "RATE_LIMITED"
  | "UPSTREAM"
  | "UNAVAILABLE"
  | "TIMEOUT"
  | "INTERNAL";

export interface AppErrorOptions {
  /** Worth trying again later (the store was down, a timeout); defaults from the code. */
  retryable?: boolean;
  /** Where in the input the problem is, e.g. `body.filter.must[0]`. */
  details?: unknown;
  cause?: unknown;
}

const RETRYABLE_BY_DEFAULT = new Set<ErrorCode>(["UNAVAILABLE", "TIMEOUT", "RATE_LIMITED"]);

/** The one error type of the project: a code for the edges, a message for people, a retryable flag for queues. */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.details = options.details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

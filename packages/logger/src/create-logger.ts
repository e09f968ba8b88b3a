import { type DestinationStream, type Logger, pino } from "pino";
import { redactUrlsIn } from "./redact-url.js";

export type { Logger };

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Pretty, colourised lines; default: only when stdout is a terminal outside production. */
  pretty?: boolean | undefined;
}

/** Paths whose values never reach a log line, wherever a caller puts them. */
const REDACT = [
  "apiKey",
  "*.apiKey",
  "config.qdrant.apiKey",
  "config.http.apiKeys",
  "config.sources.hfToken",
  "headers.authorization",
  "headers['api-key']",
  "req.headers.authorization",
  "req.headers['api-key']",
];

/** `destination` is for tests and embedding; services log to stdout. */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const pretty =
    destination === undefined &&
    (options.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== "production"));
  const settings = {
    name: options.name,
    level: options.level ?? "info",
    redact: { paths: REDACT, censor: "[redacted]" },
    // Source URLs may carry `user:pass@` or tokens in their query: hide them in messages, errors and top-level fields.
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger["info"]>, method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === "string" ? redactUrlsIn(arg) : arg)),
        );
      },
    },
    formatters: { log: redactTopLevelUrls },
    serializers: { err: serializeError },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } } }
      : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}

function redactTopLevelUrls(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object))
    out[key] = typeof value === "string" && value.includes("://") ? redactUrlsIn(value) : value;
  return out;
}

function serializeError(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const field of ["message", "stack"])
    if (typeof serialized[field] === "string") serialized[field] = redactUrlsIn(serialized[field]);
  return serialized;
}

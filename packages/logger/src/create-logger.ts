import { type DestinationStream, type Logger, pino } from "pino";

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
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } } }
      : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}

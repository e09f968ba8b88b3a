export { createLogger, type Logger, type LoggerOptions } from "./create-logger.js";
export { redactUrl, redactUrlsIn } from "./redact-url.js";

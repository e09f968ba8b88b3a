export { type ApiKeyOptions, presentedApiKey, requireApiKey } from "./api-key-auth.js";
export { AppError, type AppErrorOptions, type ErrorCode, isAppError } from "./app-error.js";
export { dotSegment } from "./dot-segments.js";
export { installGracefulShutdown, type ShutdownOptions } from "./graceful-shutdown.js";
export { mountHealthRoutes, type ReadinessCheck } from "./health-routes.js";
export { type AppEnv, createHttpApp, type HttpAppOptions } from "./http-app.js";
export { STATUS_BY_CODE } from "./http-status.js";
export { networkCodeOf } from "./network-error.js";
export { type RunningServer, serveHttp } from "./serve-http.js";

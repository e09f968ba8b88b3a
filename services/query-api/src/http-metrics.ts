import type { AppEnv } from "@hybrid/service-kit";
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Metrics } from "./metrics.js";

/**
 * Counts every request and observes its latency by method, route pattern (`/v1/collections/:name`, never the raw path,
 * so labels stay few) and status; requests no route answered are labelled `unmatched`.
 */
export function httpMetrics(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const matched = matchedRoutes(c)[c.req.routeIndex];
      const route = matched && matched.method !== "ALL" ? matched.path : "unmatched";
      const labels = { method: c.req.method, route, status: String(c.res.status) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}

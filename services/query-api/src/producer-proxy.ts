import { type AppEnv, AppError } from "@hybrid/service-kit";
import type { Hono } from "hono";

/** Where the ingestion page reaches the producer's job API through this service. */
export const INGEST_PREFIX = "/ingest";

/** Producer routes the page uses (method, path below the prefix); nothing else is forwarded. */
const ROUTES: Array<[method: string, path: string]> = [
  ["GET", "/v1/jobs"],
  ["POST", "/v1/jobs"],
  ["POST", "/v1/jobs/upload"],
  ["POST", "/v1/jobs/preview"],
  ["GET", "/v1/jobs/:id"],
  ["DELETE", "/v1/jobs/:id"],
  ["GET", "/v1/jobs/:id/failures"],
];

/** Request headers passed on: the body's type and the caller's key (the producer checks its own API_KEYS). */
const FORWARDED = ["content-type", "authorization", "x-api-key", "x-request-id"];

/**
 * Forwards the ingestion page's calls to the producer, so the page talks to one origin: no CORS on the producer, no
 * producer address in the browser, and the producer need not be reachable from it. Bodies are streamed both ways
 * (an upload is not buffered here); the producer's status and JSON come back as they are. Without a producer URL the
 * routes answer 503 saying so.
 */
export function mountProducerProxy(app: Hono<AppEnv>, producerUrl: string | undefined): void {
  const base = producerUrl?.replace(/\/+$/, "");
  for (const [method, path] of ROUTES) {
    app.on(method, `${INGEST_PREFIX}${path}`, async (c) => {
      if (!base) {
        throw new AppError("UNAVAILABLE", "ingestion is not configured: this service has no PRODUCER_URL");
      }
      const url = new URL(c.req.url);
      const target = `${base}${url.pathname.slice(INGEST_PREFIX.length)}${url.search}`;
      const headers = new Headers();
      for (const name of FORWARDED) {
        const value = c.req.header(name);
        if (value !== undefined) headers.set(name, value);
      }
      let res: Response;
      try {
        res = await fetch(target, {
          method,
          headers,
          ...(method === "POST" ? { body: c.req.raw.body, duplex: "half" } : {}),
        } as RequestInit);
      } catch (error) {
        throw new AppError("UNAVAILABLE", "the ingest producer is unreachable", { cause: error });
      }
      return new Response(res.body, {
        status: res.status,
        headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
      });
    });
  }
}

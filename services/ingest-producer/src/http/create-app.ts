import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { swaggerUI } from "@hono/swagger-ui";
import {
  type AppEnv,
  AppError,
  createHttpApp,
  mountHealthRoutes,
  type ReadinessCheck,
  requireApiKey,
} from "@hybrid/service-kit";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { IngestDeps } from "../ingest/ingest-deps.js";
import { createJobRoutes } from "./job-routes.js";
import { mountUploadRoute } from "./upload-route.js";

export interface ProducerAppOptions {
  deps: IngestDeps;
  apiKeys: readonly string[];
  maxBodyBytes: number;
  readiness: ReadinessCheck[];
  /** Mount Bull Board under /admin/queues (default true). */
  dashboard?: boolean;
}

/**
 * The producer's HTTP surface: `/v1/jobs` (every route behind the API key: job views name sources), `/openapi.json`
 * and `/docs`,
 * `/healthz` and `/readyz`, and the Bull Board dashboard under `/admin/queues` (behind the key; browsers may use
 * HTTP Basic with the key as password).
 */
export function createProducerApp({
  deps,
  apiKeys,
  maxBodyBytes,
  readiness,
  dashboard = true,
}: ProducerAppOptions): Hono<AppEnv> {
  const app = createHttpApp({ logger: deps.logger });
  mountHealthRoutes(app, readiness);

  app.use("/v1/*", requireApiKey({ keys: apiKeys }));
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `request body is larger than ${maxBodyBytes} bytes (MAX_BODY_BYTES)`,
      );
    },
  });
  // Uploads are streamed to disk under their own cap (UPLOAD_MAX_BYTES), not held in memory.
  app.use("/v1/*", (c, next) => (c.req.path === "/v1/jobs/upload" ? next() : limitBody(c, next)));
  const api = createJobRoutes(deps);
  mountUploadRoute(api, deps);
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Hybrid search: ingestion API",
      version: "1",
      description: "Submit datasets for embedding into Qdrant and follow their progress.",
    },
  });
  app.route("/", api);
  app.get("/docs", swaggerUI({ url: "/openapi.json" }));

  if (dashboard) {
    const board = new HonoAdapter(serveStatic);
    createBullBoard({
      queues: [new BullMQAdapter(deps.ingestQueue), new BullMQAdapter(deps.embedQueue)],
      serverAdapter: board,
    });
    board.setBasePath("/admin/queues");
    app.use("/admin/queues", requireApiKey({ keys: apiKeys, basicRealm: "queues" }));
    app.use("/admin/queues/*", requireApiKey({ keys: apiKeys, basicRealm: "queues" }));
    app.route("/admin/queues", board.registerPlugin());
  }
  return app;
}

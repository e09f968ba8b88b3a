import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dotSegment } from "@hybrid/service-kit";
import type { Logger } from "pino";
import { Engine } from "./engine.js";
import { QdrantError } from "./errors.js";
import { readJsonBody, sendError, sendJson, sendOk } from "./http-io.js";
import type { InferenceModels } from "./inference/models.js";
import { resolveDocuments } from "./inference/resolve-documents.js";
import { checkReplicaParams } from "./replica-params.js";
import { Router } from "./router.js";
import { collectionRoutes } from "./routes-collections.js";
import { pointRoutes } from "./routes-points.js";
import { queryRoutes } from "./routes-query.js";
import { LocalStore } from "./store.js";
import { WriteAheadLog } from "./wal.js";

/** The Qdrant version reported by `GET /`; the JS client accepts a server within one minor version of its own. */
export const QDRANT_VERSION = "1.18.0";

export interface QdrantLocalOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 6333; 0 picks a free port. */
  port?: number;
  /** A folder for the write-ahead log and snapshot; without it everything stays in memory. */
  storage?: string;
  /** When set, every request but the health checks needs this key (`api-key` header or `Authorization: Bearer`). */
  apiKey?: string;
  logger?: Logger;
  /** Dense models served for inference documents under their Qdrant Cloud names; `qdrant/bm25` is always there. */
  inference?: InferenceModels;
}

export interface QdrantLocal {
  url: string;
  port: number;
  close(): Promise<void>;
}

const OPEN_PATHS = new Set(["/healthz", "/livez", "/readyz"]);

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Starts a Qdrant-compatible REST server; resolves once it listens. */
export async function startQdrantLocal(options: QdrantLocalOptions = {}): Promise<QdrantLocal> {
  const host = options.host ?? "127.0.0.1";
  const logger = options.logger;
  const wal = options.storage ? await WriteAheadLog.open(options.storage) : undefined;
  const store = wal ? wal.store : new LocalStore();
  const engine = new Engine(store, wal, (error) =>
    logger?.error({ err: error }, "write-ahead log flush failed"),
  );
  const router = new Router();
  router.add([...collectionRoutes(engine), ...pointRoutes(engine), ...queryRoutes(engine)]);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const dot = dotSegment(req.url ?? "/");
    if (dot !== undefined) {
      sendError(
        res,
        400,
        `Validation error in path parameters: [name: a path segment cannot be "${dot}"; collection names cannot be "." or ".."]`,
        started,
      );
      return;
    }
    const url = new URL(req.url ?? "/", "http://local");
    const method = req.method ?? "GET";
    if (url.pathname === "/" && method === "GET") {
      // Qdrant answers its root with the bare version object, not the usual {result, status, time} envelope.
      sendJson(res, 200, { title: "qdrant - vector search engine", version: QDRANT_VERSION, commit: null });
      return;
    }
    if (OPEN_PATHS.has(url.pathname) && method === "GET") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`${url.pathname.slice(1)} check passed`);
      return;
    }
    if (options.apiKey !== undefined) {
      const key = req.headers["api-key"];
      const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, "");
      if (key === undefined && bearer === undefined) {
        sendError(
          res,
          401,
          "Unauthorized: Must provide an API key or an Authorization bearer token",
          started,
        );
        return;
      }
      if (!sameKey(key, options.apiKey) && !sameKey(bearer, options.apiKey)) {
        sendError(res, 403, "Forbidden: Invalid API key or JWT", started);
        return;
      }
    }
    try {
      const route = router.match(method, url.pathname);
      if (route === undefined) {
        sendError(res, 404, `Not found: no route ${method} ${url.pathname}`, started);
        return;
      }
      if (route === "method") {
        sendError(res, 405, `Method not allowed: ${method} ${url.pathname}`, started);
        return;
      }
      const body = method === "GET" || method === "DELETE" ? undefined : await readJsonBody(req);
      checkReplicaParams(url.searchParams);
      // Inference documents become vectors here, so every route below parses vectors only.
      await resolveDocuments(method, url.pathname, body, options.inference ?? {});
      const waitParam = url.searchParams.get("wait");
      const wait = waitParam === null ? undefined : waitParam === "true" || waitParam === "";
      const result = await route.handler({ params: route.params, query: url.searchParams, body, wait });
      sendOk(res, result, started);
      logger?.debug(
        { method, path: url.pathname, status: 200, ms: round(performance.now() - started) },
        "request",
      );
    } catch (error) {
      if (error instanceof QdrantError) {
        sendError(res, error.status, error.message, started);
        logger?.debug(
          {
            method,
            path: url.pathname,
            status: error.status,
            error: error.message,
            ms: round(performance.now() - started),
          },
          "request",
        );
        return;
      }
      logger?.error({ err: error, method, path: url.pathname }, "request failed");
      sendError(
        res,
        500,
        "Service internal error: an unexpected error happened; see the server log",
        started,
      );
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger?.error({ err: error }, "response failed");
      if (!res.headersSent) sendJson(res, 500, { status: { error: "Service internal error" }, time: 0 });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 6333, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await engine.close();
      })();
      return closing;
    },
  };
}

/** Compared over SHA-256 digests in constant time, so the timing tells nothing about the key. */
function sameKey(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== "string") return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import { Engine } from "./engine.js";
import { createQdrantApp } from "./http/app.js";
import type { InferenceModels } from "./inference/models.js";
import { LocalStore } from "./store.js";
import { WriteAheadLog } from "./wal.js";

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

/** Starts a Qdrant-compatible REST server; resolves once it listens. */
export async function startQdrantLocal(options: QdrantLocalOptions = {}): Promise<QdrantLocal> {
  const host = options.host ?? "127.0.0.1";
  const { logger } = options;
  const wal = options.storage ? await WriteAheadLog.open(options.storage) : undefined;
  const engine = new Engine(wal ? wal.store : new LocalStore(), wal, (error) =>
    logger?.error({ err: error }, "write-ahead log flush failed"),
  );
  const app = createQdrantApp({
    engine,
    inference: options.inference ?? {},
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(logger ? { logger } : {}),
  });
  const server = createServer(getRequestListener(app.fetch));
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

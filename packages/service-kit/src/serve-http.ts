import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { answerClientError } from "./client-error.js";

export interface RunningServer {
  port: number;
  /** Stops accepting connections and resolves once open ones have finished. */
  close(): Promise<void>;
}

/** Starts `app` on `host:port` (port 0 picks a free one) and resolves once it listens. */
export function serveHttp<E extends object>(
  app: Hono<E & { Variables: object }>,
  options: { host: string; port: number },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              // Idle keep-alive sockets would otherwise hold close() open until they time out.
              (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
            }),
        });
      },
    );
    server.once("error", reject);
    server.on("clientError", answerClientError);
  });
}

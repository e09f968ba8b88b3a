import { request } from "node:http";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp } from "./http-app.js";
import { type RunningServer, serveHttp } from "./serve-http.js";

// Real HTTP on loopback: both cases happen before Hono sees a request (Node's parser, the raw request line).
let server: RunningServer;

function raw(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"] ?? "", body }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  const app = createHttpApp({ logger: pino({ level: "silent" }) });
  app.get("/v1/collections/:name", (c) => c.json({ name: c.req.param("name") }));
  app.get("/v1/", (c) => c.json({ root: true }));
  server = await serveHttp(app, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe("serveHttp at the edge", () => {
  it("answers a 100k-character URL with 431 and a JSON error body", async () => {
    const res = await raw(`/v1/collections/x?q=${"a".repeat(100_000)}`);
    expect(res.status).toBe(431);
    expect(res.type).toBe("application/json");
    const { error } = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string } };
    expect(error.code).toBe("HEADERS_TOO_LARGE");
    expect(error.message).toMatch(/^the request URL and headers are larger than \d+ bytes/);
    expect(error.requestId).toBeTruthy();
  });

  it('refuses "." and ".." path segments with 400 instead of routing the resolved path', async () => {
    for (const path of ["/v1/collections/..", "/v1/collections/.", "/v1/collections/%2E%2e"]) {
      const res = await raw(path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({
        error: { code: "BAD_REQUEST", details: { field: "path" } },
      });
    }
    expect((await raw("/v1/collections/a..b")).status).toBe(200);
  });
});

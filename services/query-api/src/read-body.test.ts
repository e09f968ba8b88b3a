import { request } from "node:http";
import { createHttpApp, type RunningServer, serveHttp } from "@hybrid/service-kit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBody } from "./read-body.js";

// Over real HTTP (Node's request object present): the body is read from the socket, not through a WHATWG Request.
let server: RunningServer;
let port: number;

beforeAll(async () => {
  const app = createHttpApp({ logger: pino({ level: "silent" }) });
  app.use("/v1/*", readBody(64));
  app.post("/v1/echo", async (c) => c.json({ got: await c.req.json(), raw: c.req.raw.bodyUsed }));
  server = await serveHttp(app, { host: "127.0.0.1", port: 0 });
  port = server.port;
});
afterAll(() => server.close());

/** POSTs `body`, with a content-length or chunked (no length known in advance). */
function post(body: string, chunked = false): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/echo",
        method: "POST",
        headers: { "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    if (!chunked) req.setHeader("content-length", Buffer.byteLength(body));
    req.end(body);
  });
}

describe("readBody", () => {
  it("hands the JSON body to the route without the WHATWG request reading it", async () => {
    await expect(post('{"a":[1,2,"é"]}')).resolves.toEqual({
      status: 200,
      json: { got: { a: [1, 2, "é"] }, raw: false },
    });
  });

  it("answers 413 for a body over the limit, by its length or while it streams", async () => {
    const big = JSON.stringify({ a: "x".repeat(100) });
    for (const chunked of [false, true]) {
      const { status, json } = await post(big, chunked);
      expect(status).toBe(413);
      expect(json).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    }
  });
});

import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { AppError } from "./app-error.js";
import { mountHealthRoutes } from "./health-routes.js";
import { createHttpApp } from "./http-app.js";

const logger = pino({ level: "silent" });

describe("createHttpApp", () => {
  it("maps AppError codes to statuses with the request id", async () => {
    const app = createHttpApp({ logger });
    app.get("/missing", () => {
      throw new AppError("NOT_FOUND", "collection 'x' not found", { details: { field: "collection" } });
    });
    const res = await app.request("/missing", { headers: { "x-request-id": "abc-1" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: "NOT_FOUND",
        message: "collection 'x' not found",
        requestId: "abc-1",
        details: { field: "collection" },
      },
    });
  });

  it("hides unknown errors behind a generic 500 without a stack", async () => {
    const app = createHttpApp({ logger });
    app.get("/boom", () => {
      throw new Error("secret internals at line 12");
    });
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret internals");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("reports readiness per dependency", async () => {
    const app = createHttpApp({ logger });
    mountHealthRoutes(app, [
      { name: "redis", check: async () => "PONG" },
      { name: "qdrant", check: () => Promise.reject(new Error("connection refused")) },
    ]);
    expect((await app.request("/healthz")).status).toBe(200);
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "not ready",
      checks: { redis: "ok", qdrant: "connection refused" },
    });
  });
});

describe("errors of a backing service", () => {
  it("answer 503 UNAVAILABLE while Redis fails over or a connection is refused; anything else stays 500", async () => {
    const app = createHttpApp({ logger: pino({ level: "silent" }) });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });
    const errors: Record<string, Error> = {
      refused,
      wrapped: new Error("query failed", { cause: refused }),
      readonly: new Error("READONLY You can't write against a read only replica."),
      closed: new Error("Connection is closed."),
      noreplicas: new Error("NOREPLICAS Not enough good replicas to write."),
      redirections: new Error(
        "Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down",
      ),
      bug: new TypeError("x is not a function"),
    };
    app.get("/:kind", (c) => {
      throw errors[c.req.param("kind")];
    });
    for (const kind of ["refused", "wrapped", "readonly", "closed", "noreplicas", "redirections"]) {
      const res = await app.request(`/${kind}`);
      expect(res.status, kind).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
    }
    expect((await app.request("/bug")).status).toBe(500);
  });
});

import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { requireApiKey } from "./api-key-auth.js";
import { createHttpApp } from "./http-app.js";

function appWith(options: Parameters<typeof requireApiKey>[0]) {
  const app = createHttpApp({ logger: pino({ level: "silent" }) });
  app.use("/private", requireApiKey(options));
  app.get("/private", (c) => c.text("ok"));
  return app;
}

describe("requireApiKey", () => {
  const app = appWith({ keys: ["k1", "k2"] });
  const status = async (headers: Record<string, string>) =>
    (await app.request("/private", { headers })).status;

  it("accepts a key as Bearer or as x-api-key", async () => {
    expect(await status({ authorization: "Bearer k1" })).toBe(200);
    expect(await status({ "x-api-key": "k2" })).toBe(200);
  });

  it("answers 401 naming both headers when no key is sent, and for a wrong key", async () => {
    const res = await app.request("/private");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /Authorization: Bearer <key> or x-api-key/,
    );
    expect(await status({ authorization: "Bearer nope" })).toBe(401);
    expect(await status({ "x-api-key": "nope" })).toBe(401);
    expect(await status({ authorization: `Basic ${Buffer.from("u:k1").toString("base64")}` })).toBe(401);
  });

  it("takes HTTP Basic (key as password) only where a realm is set, and asks browsers for it", async () => {
    const board = appWith({ keys: ["k1"], basicRealm: "queues" });
    const basic = `Basic ${Buffer.from("anyone:k1").toString("base64")}`;
    expect((await board.request("/private", { headers: { authorization: basic } })).status).toBe(200);
    const denied = await board.request("/private");
    expect(denied.headers.get("www-authenticate")).toBe('Basic realm="queues"');
  });

  it("lets everything through when no keys are configured", async () => {
    expect((await appWith({ keys: [] }).request("/private")).status).toBe(200);
  });
});

import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QdrantLocal, startQdrantLocal } from "../src/index.js";

let server: QdrantLocal;

beforeAll(async () => {
  server = await startQdrantLocal({ port: 0, apiKey: "secret-key" });
});

afterAll(async () => {
  await server.close();
});

describe("--api-key", () => {
  it("refuses requests without the key (401) or with a wrong one (403), in Qdrant's error shape", async () => {
    const missing = await fetch(`${server.url}/collections`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { status: { error: string } }).status.error).toMatch(/API key/);
    const wrong = await fetch(`${server.url}/collections`, { headers: { "api-key": "nope" } });
    expect(wrong.status).toBe(403);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("accepts the api-key header and a bearer token; the official client works with apiKey", async () => {
    expect((await fetch(`${server.url}/collections`, { headers: { "api-key": "secret-key" } })).status).toBe(
      200,
    );
    expect(
      (await fetch(`${server.url}/collections`, { headers: { authorization: "Bearer secret-key" } })).status,
    ).toBe(200);
    const client = new QdrantClient({ url: server.url, apiKey: "secret-key" });
    await client.createCollection("k", { vectors: { size: 2, distance: "Dot" } });
    expect((await client.collectionExists("k")).exists).toBe(true);
  });
});

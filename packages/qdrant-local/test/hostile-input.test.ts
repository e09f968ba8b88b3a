import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QdrantLocal, startQdrantLocal } from "../src/index.js";

// Raw HTTP on purpose: fetch and the official client resolve `.` and `..` segments before sending.
let server: QdrantLocal;

function raw(method: string, path: string, body?: string): Promise<{ status: number; error?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, method, path, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => {
          const parsed = JSON.parse(text) as { status?: { error?: string } };
          resolve({ status: res.statusCode ?? 0, error: parsed.status?.error });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** `{"filter": {"must": [{"must": [ ... ]}]}}` with `levels` filters, as text (too deep for JSON.stringify). */
function deepFilterBody(levels: number): string {
  const leaf = '{"key":"a","match":{"value":1}}';
  return `{"filter":${'{"must":['.repeat(levels)}${leaf}${"]}".repeat(levels)}}`;
}

beforeAll(async () => {
  server = await startQdrantLocal({ port: 0 });
  const created = await raw(
    "PUT",
    "/collections/c",
    JSON.stringify({ vectors: { size: 2, distance: "Dot" } }),
  );
  expect(created.status).toBe(200);
});

afterAll(async () => {
  await server.close();
});

describe("hostile input", () => {
  it("refuses filters nested past serde's 128 levels with 400, at any depth, and still counts shallower ones", async () => {
    expect((await raw("POST", "/collections/c/points/count", deepFilterBody(60))).status).toBe(200);
    for (const levels of [500, 100_000]) {
      const res = await raw("POST", "/collections/c/points/count", deepFilterBody(levels));
      expect(res.status).toBe(400);
      expect(res.error).toBe(
        "Format error in JSON body: recursion limit exceeded: nested deeper than 128 levels",
      );
    }
  });

  it('refuses "." and ".." as collection names on every route, plain or percent-encoded', async () => {
    const create = JSON.stringify({ vectors: { size: 2, distance: "Dot" } });
    for (const name of [".", "..", "%2e", "%2E%2e"]) {
      for (const [method, path, body] of [
        ["GET", `/collections/${name}`, undefined],
        ["PUT", `/collections/${name}`, create],
        ["DELETE", `/collections/${name}`, undefined],
        ["POST", `/collections/${name}/points/count`, "{}"],
        ["POST", `/collections/${name}/points/query`, "{}"],
      ] as const) {
        const res = await raw(method, path, body);
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.error).toMatch(/collection names cannot be "\." or "\.\."/);
      }
    }
    expect((await raw("GET", "/collections/c.v1.")).status).toBe(404);
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createQdrantConnection } from "./qdrant-connection.js";
import type { QueryBody } from "./query-body.js";
import { queryPoints, serializeQueryBody } from "./query-points.js";

describe("serializeQueryBody", () => {
  it("writes exactly what JSON.stringify writes, in hybrid and in dense mode", () => {
    const dense = [0.1, -0.25, 1e-7, 3];
    const hybrid: QueryBody = {
      prefetch: [
        { query: dense, using: "dense", limit: 50 },
        { query: { indices: [1, 2], values: [0.5, 1] }, using: "sparse", limit: 50 },
      ],
      query: { fusion: "rrf" },
      limit: 10,
      offset: 0,
      with_payload: true,
      with_vector: false,
    };
    const single: QueryBody = {
      query: dense,
      using: "dense",
      limit: 5,
      offset: 0,
      with_payload: false,
      with_vector: false,
    };
    for (const body of [hybrid, single, hybrid]) expect(serializeQueryBody(body)).toBe(JSON.stringify(body));
    const sparse: QueryBody = { ...single, query: { indices: [3], values: [1] }, using: "sparse" };
    expect(serializeQueryBody(sparse)).toBe(JSON.stringify(sparse));
  });
});

describe("queryPoints", () => {
  it("asks a Qdrant cluster for the configured read consistency, and nothing when unset", async () => {
    const urls: string[] = [];
    // A loopback HTTP server standing in for Qdrant records the request line.
    const server = createServer((req, res) => {
      urls.push(req.url ?? "");
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ result: { points: [] }, status: "ok", time: 0 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body: QueryBody = {
      query: [1, 0],
      using: "dense",
      limit: 1,
      offset: 0,
      with_payload: false,
      with_vector: false,
    };
    for (const readConsistency of ["majority", 2, undefined] as const) {
      const qdrant = createQdrantConnection({ url, timeoutMs: 5000, readConsistency });
      await queryPoints(qdrant, "docs", body);
      await qdrant.close();
    }
    server.close();
    expect(urls).toEqual([
      "/collections/docs/points/query?consistency=majority",
      "/collections/docs/points/query?consistency=2",
      "/collections/docs/points/query",
    ]);
  });
});

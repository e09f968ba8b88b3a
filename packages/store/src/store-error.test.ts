import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError } from "@hybrid/service-kit";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { readCollectionModels } from "./collection.js";
import { createQdrantConnection } from "./qdrant-connection.js";
import { toAppError } from "./store-error.js";

/**
 * The store's connection against a loopback HTTP server that answers every request with a fixed status and Qdrant's
 * error body: the errors are the ones a real call throws.
 */
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function answering(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  });
  return listen(server);
}

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function errorOf(url: string, timeoutMs = 2000): Promise<AppError> {
  const qdrant = createQdrantConnection({ url, timeoutMs });
  try {
    await qdrant.request({
      method: "GET",
      path: "/collections/docs",
      result: z.unknown(),
      action: "read docs",
    });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  } finally {
    await qdrant.close();
  }
  throw new Error("expected the call to fail");
}

describe("toAppError through the connection", () => {
  it.each([
    [400, "BAD_REQUEST", false],
    [422, "BAD_REQUEST", false],
    [404, "NOT_FOUND", false],
    [409, "CONFLICT", false],
    [403, "UPSTREAM", false],
    [500, "UNAVAILABLE", true],
    [503, "UNAVAILABLE", true],
  ] as const)(
    "maps HTTP %i to %s (retryable %s) and keeps Qdrant's reason",
    async (status, code, retryable) => {
      const url = await answering(status, { status: { error: `reason ${status}` }, time: 0 });
      const error = await errorOf(url);
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toBe(`read docs failed: Qdrant answered ${status}: reason ${status}`);
    },
  );

  it("maps 429 with retry-after to a retryable RATE_LIMITED", async () => {
    const url = await answering(429, { status: { error: "slow down" } }, { "retry-after": "3" });
    const error = await errorOf(url);
    expect(error.code).toBe("RATE_LIMITED");
    expect(error.retryable).toBe(true);
    expect(error.details).toEqual({ retryAfterS: 3 });
  });

  it("maps an answer of an unknown shape to a retryable UPSTREAM", async () => {
    const url = await answering(200, { result: { points: "none" }, status: "ok" });
    const qdrant = createQdrantConnection({ url, timeoutMs: 2000 });
    const error = await qdrant
      .request({
        method: "GET",
        path: "/x",
        result: z.object({ points: z.array(z.unknown()) }),
        action: "read x",
      })
      .catch((e: unknown) => e)
      .finally(() => qdrant.close());
    expect(error).toMatchObject({ code: "UPSTREAM", retryable: true });
    expect((error as Error).message).toMatch(
      /^read x failed: Qdrant answered in an unexpected shape \(points: /,
    );
  });

  it("maps a refused connection to a retryable UNAVAILABLE", async () => {
    const server = createServer();
    const url = await listen(server);
    server.close();
    await once(server, "close");
    const error = await errorOf(url);
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it("maps the client's timeout to a retryable TIMEOUT", async () => {
    const url = await listen(createServer(() => undefined));
    const error = await errorOf(url, 150);
    expect(error.code).toBe("TIMEOUT");
    expect(error.retryable).toBe(true);
  });

  it("passes an AppError through and turns an unknown error into a non-retryable INTERNAL", () => {
    const original = new AppError("CONFLICT", "already");
    expect(toAppError(original)).toBe(original);
    const unknown = toAppError(new RangeError("bad index"), "upsert");
    expect(unknown.code).toBe("INTERNAL");
    expect(unknown.retryable).toBe(false);
    expect(unknown.message).toBe("upsert failed: bad index");
  });
});

const collectionInfo = {
  status: "green",
  points_count: 0,
  config: {
    params: {
      vectors: { dense: { size: 4, distance: "Cosine" } },
      sparse_vectors: { sparse: { modifier: "idf" } },
    },
    metadata: { models: { dense: "offline/use-lite", denseDim: 4, sparse: "Qdrant/bm25" } },
  },
};

describe("createQdrantConnection", () => {
  it("sends the API key as the api-key header and keeps the URL's path as prefix", async () => {
    const seen: Array<{ url: string | undefined; key: string | string[] | undefined }> = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url, key: req.headers["api-key"] });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ result: collectionInfo, status: "ok", time: 0 }));
    });
    const base = await listen(server);
    const qdrant = createQdrantConnection({ url: `${base}/qdrant/`, apiKey: "k1", timeoutMs: 2000 });
    await expect(readCollectionModels(qdrant, "my docs")).resolves.toEqual(
      collectionInfo.config.metadata.models,
    );
    await qdrant.close();
    expect(seen).toEqual([{ url: "/qdrant/collections/my%20docs", key: "k1" }]);
  });
});

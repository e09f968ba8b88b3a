import { randomUUID } from "node:crypto";
import { QdrantClient } from "@qdrant/js-client-rest";
import { startQdrantLocal } from "../src/index.js";
import {
  EXPECT_INVALID,
  OpenApiValidator,
  startValidatingProxy,
  type ValidatingProxy,
} from "./openapi-proxy.js";

export interface RawResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read responses loosely; the validating proxy checks their shape
  body: any;
}

/** One backend for a conformance file: qdrant-local in-process, or the real Qdrant at QDRANT_URL; always behind the validating proxy. */
export interface Backend {
  /** True when the suite runs against qdrant-local (false against a real Qdrant). */
  local: boolean;
  client: QdrantClient;
  proxy: ValidatingProxy;
  /** A raw HTTP exchange; `invalid` marks a body that breaks the schema on purpose (only the response is validated). */
  raw(method: string, path: string, body?: unknown, options?: { invalid?: boolean }): Promise<RawResponse>;
  /** A collection name unique to this run. */
  name(prefix: string): string;
  close(): Promise<void>;
}

let validator: OpenApiValidator | undefined;

export async function openBackend(): Promise<Backend> {
  validator ??= new OpenApiValidator();
  const external = process.env.QDRANT_URL;
  const apiKey = process.env.QDRANT_API_KEY;
  const local = external ? undefined : await startQdrantLocal({ port: 0 });
  const target = external ?? (local as { url: string }).url;
  const proxy = await startValidatingProxy(target.replace(/\/$/, ""), validator);
  const client = new QdrantClient({ url: proxy.url, ...(apiKey ? { apiKey } : {}) });
  const run = randomUUID().slice(0, 8);
  return {
    local: local !== undefined,
    client,
    proxy,
    async raw(method, path, body, options) {
      const response = await fetch(`${proxy.url}${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          ...(apiKey ? { "api-key": apiKey } : {}),
          ...(options?.invalid ? { [EXPECT_INVALID]: "1" } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    name: (prefix) => `${prefix}_${run}`,
    async close() {
      await proxy.close();
      await local?.close();
    },
  };
}

/** Qdrant's standard test collection (tests/openapi basic_collection_setup): 4-dim Dot vectors, a sparse vector, 10 points. */
export const BASIC_POINTS = [
  { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: "Berlin", price: 10.0 } },
  { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: ["Berlin", "London"], price: 11.0 } },
  { id: 3, vector: [0.36, 0.55, 0.47, 0.94], payload: { city: ["Berlin", "Moscow"], price: 9.5 } },
  { id: 4, vector: [0.18, 0.01, 0.85, 0.8], payload: { city: ["London", "Moscow"], price: 9 } },
  { id: 5, vector: [0.24, 0.18, 0.22, 0.44], payload: { count: 0 } },
  { id: 6, vector: [0.35, 0.08, 0.11, 0.44] },
  { id: 7, vector: [0.25, 0.98, 0.14, 0.43], payload: { city: null, price: null } },
  { id: 8, vector: [0.79, 0.53, 0.72, 0.15], payload: { city: [], price: [] } },
  { id: 9, vector: { "sparse-text": { indices: [66, 12], values: [0.5, 0.5] } } },
  {
    id: 10,
    vector: { "sparse-text": { indices: [1, 2, 3], values: [0.1, 0.2, 0.3] } },
    payload: { city: [], price: [] },
  },
];

export async function createBasicCollection(backend: Backend, name: string): Promise<void> {
  await backend.raw("DELETE", `/collections/${name}`);
  const created = await backend.raw("PUT", `/collections/${name}`, {
    vectors: { size: 4, distance: "Dot" },
    sparse_vectors: { "sparse-text": {} },
  });
  if (created.status !== 200) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const upserted = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
    points: BASIC_POINTS,
  });
  if (upserted.status !== 200) throw new Error(`upsert failed: ${JSON.stringify(upserted.body)}`);
}

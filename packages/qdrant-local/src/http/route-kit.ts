import type { HttpBindings } from "@hono/node-server";
import { nestingDepth } from "@hybrid/config";
import type { Context, Hono } from "hono";
import type { Collection } from "../collection.js";
import type { Engine } from "../engine.js";
import { formatError } from "../errors.js";
import type { InferenceModels } from "../inference/models.js";
import { type DocumentWalk, resolveDocuments } from "../inference/resolve-documents.js";
import type { Operation } from "../ops.js";
import { parseRequest, type RequestName } from "../requests/parse-request.js";
import type { QdrantSchemas } from "../requests/qdrant-requests.generated.js";

export interface QdrantEnv {
  Bindings: HttpBindings;
  Variables: { started: number };
}

export type QdrantApp = Hono<QdrantEnv>;

/** What every route module is given. */
export interface RouteDeps {
  engine: Engine;
  inference: InferenceModels;
}

/** Qdrant's default max request size is 32 MiB; ours too. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Qdrant parses bodies with serde_json, which stops at 128 levels of nesting; so do we, before anything recursive
 * (schema validation, filter compilation, the write-ahead log's JSON) walks a hostile body deep enough to overflow the stack.
 */
const MAX_JSON_NESTING = 128;

/** The request body parsed and checked against Qdrant's schema `name`; an empty body counts as `{}`. */
export async function requestBody<K extends RequestName>(
  c: Context<QdrantEnv>,
  name: K,
): Promise<QdrantSchemas[K]> {
  const text = await c.req.text();
  if (text.length === 0) return parseRequest(name, {});
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw formatError("", error instanceof Error ? error.message : "invalid JSON");
  }
  if (nestingDepth(body, MAX_JSON_NESTING) > MAX_JSON_NESTING)
    throw formatError("", `recursion limit exceeded: nested deeper than ${MAX_JSON_NESTING} levels`);
  return parseRequest(name, body);
}

/** Qdrant's envelope for a success. */
export function ok(c: Context<QdrantEnv>, result: unknown): Response {
  return c.json({ result, status: "ok", time: elapsed(c) });
}

/** Seconds since the request came in, as Qdrant's `time`. */
export function elapsed(c: Context<QdrantEnv>): number {
  return (performance.now() - c.get("started")) / 1000;
}

/** The `wait` query parameter (present and empty counts as true); `fallback` when absent. */
export function waitParam(c: Context<QdrantEnv>, fallback: boolean): boolean {
  const wait = c.req.query("wait");
  return wait === undefined ? fallback : wait === "true" || wait === "";
}

/** Commits one validated operation and answers as Qdrant's write endpoints do. */
export async function write(engine: Engine, op: Operation, wait: boolean) {
  const operationId = engine.commit(op);
  return { operation_id: operationId, status: await engine.finish(wait) };
}

/**
 * A point write endpoint: the body checked against Qdrant's schema `schema`, its inference documents embedded (`walk`),
 * then turned into one operation on the collection named in the path.
 */
export function mountWrite<K extends RequestName>(
  app: QdrantApp,
  { engine, inference }: RouteDeps,
  route: { method: "put" | "post"; path: string; schema: K; walk?: DocumentWalk },
  toOperation: (collection: Collection, body: QdrantSchemas[K]) => Operation,
): void {
  app[route.method](`/collections/:name/points${route.path}`, async (c) => {
    const body = await requestBody(c, route.schema);
    if (route.walk) await resolveDocuments(route.walk, body, inference);
    const op = toOperation(engine.store.get(c.req.param("name")), body);
    return ok(c, await write(engine, op, waitParam(c, false)));
  });
}

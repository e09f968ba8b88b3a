import type { IncomingMessage, ServerResponse } from "node:http";
import { nestingDepth } from "@hybrid/config";
import { formatError, QdrantError } from "./errors.js";

/** Qdrant's default max request size is 32 MiB; ours too. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Qdrant parses bodies with serde_json, which stops at 128 levels of nesting; so do we, before anything recursive
 * (filter compilation, the write-ahead log's JSON) walks a hostile body deep enough to overflow the stack.
 */
export const MAX_JSON_NESTING = 128;

/** Reads and parses a JSON body; an empty body is `undefined`. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new QdrantError(413, `Payload too large: the request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks, size).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw formatError("", error instanceof Error ? error.message : "invalid JSON");
  }
  if (nestingDepth(body, MAX_JSON_NESTING) > MAX_JSON_NESTING)
    throw formatError("", `recursion limit exceeded: nested deeper than ${MAX_JSON_NESTING} levels`);
  return body;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendOk(res: ServerResponse, result: unknown, started: number): void {
  sendJson(res, 200, { result, status: "ok", time: (performance.now() - started) / 1000 });
}

export function sendError(res: ServerResponse, status: number, message: string, started: number): void {
  sendJson(res, status, { status: { error: message }, time: (performance.now() - started) / 1000 });
}

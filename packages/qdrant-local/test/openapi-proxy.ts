import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv, type ValidateFunction } from "ajv";
import { OPENAPI_PATH, openApiToJsonSchema } from "../scripts/openapi-to-json-schema.js";

const SPEC_ID = "qdrant-openapi.json";

/** OpenAPI 3.0 schema objects as JSON Schema that Ajv understands, references pointing into the added document. */
const toJsonSchema = (node: unknown) =>
  openApiToJsonSchema(node, { ref: (name) => `${SPEC_ID}#/components/schemas/${name}` });

interface Operation {
  template: string;
  regex: RegExp;
  method: string;
  /** Compiled on first use: compiling the whole document up front costs seconds. */
  request: () => ValidateFunction | undefined;
  responses: Map<string, () => ValidateFunction>;
}

function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: make() };
    return value.v;
  };
}

/** Validates request and response bodies against the Qdrant OpenAPI document, by method and concrete path. */
export class OpenApiValidator {
  private readonly operations: Operation[] = [];

  constructor(specPath = OPENAPI_PATH) {
    const spec = JSON.parse(readFileSync(specPath, "utf8")) as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>>;
    };
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(
      toJsonSchema({ components: (spec as unknown as { components: unknown }).components }) as object,
      SPEC_ID,
    );
    const jsonSchemaOf = (content: unknown): object | undefined => {
      const schema = (content as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.[
        "application/json"
      ]?.schema;
      return schema === undefined ? undefined : (toJsonSchema(schema) as object);
    };
    for (const [template, methods] of Object.entries(spec.paths)) {
      const regex = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      for (const [method, op] of Object.entries(methods)) {
        const requestSchema = jsonSchemaOf(op.requestBody);
        const responses = new Map<string, () => ValidateFunction>();
        for (const [status, response] of Object.entries(op.responses ?? {})) {
          const schema = jsonSchemaOf(response);
          if (schema)
            responses.set(
              status,
              lazy(() => ajv.compile(schema)),
            );
        }
        this.operations.push({
          template,
          regex,
          method: method.toUpperCase(),
          request: lazy(() => (requestSchema ? ajv.compile(requestSchema) : undefined)),
          responses,
        });
      }
    }
    // Literal paths first, so /points/scroll is not taken for /points/{id}.
    this.operations.sort(
      (a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0),
    );
  }

  find(method: string, path: string): Operation | undefined {
    return this.operations.find((op) => op.method === method && op.regex.test(path));
  }

  /** Problems found with one exchange; empty when both bodies fit the document. */
  check(method: string, path: string, requestBody: unknown, status: number, responseBody: unknown): string[] {
    const problems: string[] = [];
    const op = this.find(method, path);
    if (!op) return [`${method} ${path}: no such operation in the OpenAPI document`];
    const where = `${method} ${op.template}`;
    const request = requestBody === undefined ? undefined : op.request();
    if (request && !request(requestBody)) {
      problems.push(`${where} request: ${JSON.stringify(request.errors?.slice(0, 3))}`);
    }
    if (status >= 200 && status < 300) {
      const validate = op.responses.get(String(status))?.();
      if (validate && !validate(responseBody))
        problems.push(`${where} response ${status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    } else {
      const validate = (
        op.responses.get(status < 500 ? "4XX" : "default") ?? op.responses.get("default")
      )?.();
      if (validate && !validate(responseBody))
        problems.push(`${where} error ${status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
      const error = (responseBody as { status?: { error?: unknown } } | undefined)?.status?.error;
      if (typeof error !== "string" || error.length === 0)
        problems.push(`${where} error ${status}: no status.error message`);
    }
    return problems;
  }
}

export interface ValidatingProxy {
  url: string;
  /** Every mismatch with the OpenAPI document seen so far. */
  problems: string[];
  /** Exchanges seen so far. */
  count: number;
  close(): Promise<void>;
}

/** A request header by which a test says its body breaks the schema on purpose (the response is still checked). */
export const EXPECT_INVALID = "x-test-expect-invalid";

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * A loopback HTTP proxy in front of a Qdrant (local or real) that checks every request and response body it relays
 * against the OpenAPI document. Used by both the official-client and the raw-HTTP halves of the conformance suite.
 */
export async function startValidatingProxy(
  target: string,
  validator: OpenApiValidator,
): Promise<ValidatingProxy> {
  const state = { problems: [] as string[], count: 0 };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://proxy");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === "string" && !["host", "connection", "content-length", EXPECT_INVALID].includes(k))
          headers[k] = v;
      }
      const requestIsDeliberatelyInvalid = req.headers[EXPECT_INVALID] === "1";
      const method = req.method ?? "GET";
      const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
        method,
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      state.count += 1;
      const path = url.pathname;
      if (!["/healthz", "/livez", "/readyz"].includes(path)) {
        const responseJson = parseJson(answer);
        if (responseJson === undefined) state.problems.push(`${method} ${path}: response is not JSON`);
        else {
          const requestBody = requestIsDeliberatelyInvalid ? undefined : parseJson(body);
          state.problems.push(...validator.check(method, path, requestBody, upstream.status, responseJson));
        }
      }
      res.writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "application/json",
      });
      res.end(answer);
    })().catch((error: unknown) => {
      state.problems.push(`proxy failure: ${String(error)}`);
      res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get problems() {
      return state.problems;
    },
    get count() {
      return state.count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

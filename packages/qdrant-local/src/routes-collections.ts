import { describeConfig, readCreateCollection } from "./collection-config.js";
import type { Engine } from "./engine.js";
import { badRequest, conflict, formatError } from "./errors.js";
import { isPlainObject } from "./parse-points.js";
import type { Route } from "./router.js";

/** Qdrant's rule (no `/ \ * < > : | ? "` or NUL, at most 255), and never `.` or `..`, which name directories. */
const NAME_RE = /^(?!\.\.?$)[^/\\\0*<>:|?"]{1,255}$/;

const FIELD_TYPES = new Set(["keyword", "integer", "float", "geo", "text", "bool", "datetime", "uuid"]);

function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw badRequest(
      `Validation error in path parameters: [name: collection name must be 1-255 characters without / \\ * < > : | ? " or NUL, and not "." or ".."]`,
    );
  }
}

export function collectionRoutes(engine: Engine): Route[] {
  const store = engine.store;
  return [
    ["GET", "/collections", () => ({ collections: [...store.collections.keys()].map((name) => ({ name })) })],
    ["GET", "/aliases", () => ({ aliases: [] })],
    [
      "GET",
      "/collections/{name}/aliases",
      ({ params }) => {
        store.get(params.name);
        return { aliases: [] };
      },
    ],
    ["GET", "/collections/{name}/exists", ({ params }) => ({ exists: store.collections.has(params.name) })],
    [
      "GET",
      "/collections/{name}",
      ({ params }) => {
        const c = store.get(params.name);
        const payloadSchema: Record<string, unknown> = {};
        for (const [field, ix] of c.payloadIndexes) {
          const params = typeof ix.schema === "object" && ix.schema !== null ? ix.schema : undefined;
          payloadSchema[field] = {
            data_type: ix.dataType,
            ...(params ? { params } : {}),
            points: c.countWithField(field),
          };
        }
        let indexed = 0;
        for (const s of c.sparse.values()) indexed += s.count;
        return {
          status: "green",
          optimizer_status: "ok",
          indexed_vectors_count: indexed,
          points_count: c.size,
          segments_count: 1,
          config: describeConfig(c.config),
          payload_schema: payloadSchema,
        };
      },
    ],
    [
      "PUT",
      "/collections/{name}",
      async ({ params, body, wait }) => {
        checkName(params.name);
        const config = readCreateCollection(body);
        if (store.collections.has(params.name))
          throw conflict(`Wrong input: Collection \`${params.name}\` already exists!`);
        engine.commit({ type: "create_collection", collection: params.name, config });
        await engine.finish(wait ?? true);
        return true;
      },
    ],
    [
      "PATCH",
      "/collections/{name}",
      async ({ params, body }) => {
        const c = store.get(params.name);
        const spec = body ?? {};
        if (!isPlainObject(spec)) throw formatError("", "invalid type: expected an object");
        if (spec.vectors !== undefined && spec.vectors !== null) {
          if (!isPlainObject(spec.vectors)) throw formatError("vectors", "expected a map of vector params");
          for (const name of Object.keys(spec.vectors)) {
            if (!(name in c.config.vectors))
              throw badRequest(`Wrong input: Not existing vector name error: ${name}`);
          }
        }
        const sparseModifiers: Record<string, "idf" | "none"> = {};
        if (spec.sparse_vectors !== undefined && spec.sparse_vectors !== null) {
          if (!isPlainObject(spec.sparse_vectors))
            throw formatError("sparse_vectors", "expected a map of sparse vector params");
          for (const [name, p] of Object.entries(spec.sparse_vectors)) {
            if (!(name in c.config.sparse))
              throw badRequest(`Wrong input: Not existing vector name error: ${name}`);
            if (!isPlainObject(p))
              throw formatError(`sparse_vectors.${name}`, "expected sparse vector params");
            const modifier = p.modifier;
            if (modifier === undefined || modifier === null) continue;
            if (modifier !== "idf" && modifier !== "none") {
              throw formatError(
                `sparse_vectors.${name}.modifier`,
                `unknown variant \`${String(modifier)}\`, expected \`none\` or \`idf\``,
              );
            }
            sparseModifiers[name] = modifier;
          }
        }
        const metadata = spec.metadata;
        if (metadata !== undefined && metadata !== null && !isPlainObject(metadata))
          throw formatError("metadata", "expected a JSON object");
        engine.commit({
          type: "update_collection",
          collection: params.name,
          metadata: (metadata as Record<string, unknown>) ?? null,
          sparseModifiers,
        });
        await engine.finish(true);
        return true;
      },
    ],
    [
      "DELETE",
      "/collections/{name}",
      async ({ params }) => {
        if (!store.collections.has(params.name)) return false;
        engine.commit({ type: "delete_collection", collection: params.name });
        await engine.finish(true);
        return true;
      },
    ],
    [
      "PUT",
      "/collections/{name}/index",
      async ({ params, body, wait }) => {
        store.get(params.name);
        if (!isPlainObject(body)) throw formatError("", "expected {field_name, field_schema}");
        const field = body.field_name;
        if (typeof field !== "string" || field === "")
          throw formatError("field_name", "expected a payload key");
        const schema = body.field_schema;
        const type = typeof schema === "string" ? schema : isPlainObject(schema) ? schema.type : undefined;
        if (typeof type !== "string" || !FIELD_TYPES.has(type)) {
          throw formatError(
            "field_schema",
            `unknown variant \`${String(type)}\`, expected one of ${[...FIELD_TYPES].map((t) => `\`${t}\``).join(", ")}`,
          );
        }
        const operationId = engine.commit({ type: "create_index", collection: params.name, field, schema });
        return { operation_id: operationId, status: await engine.finish(wait ?? false) };
      },
    ],
    [
      "DELETE",
      "/collections/{name}/index/{field}",
      async ({ params, wait }) => {
        store.get(params.name);
        const operationId = engine.commit({
          type: "delete_index",
          collection: params.name,
          field: params.field,
        });
        return { operation_id: operationId, status: await engine.finish(wait ?? false) };
      },
    ],
  ];
}

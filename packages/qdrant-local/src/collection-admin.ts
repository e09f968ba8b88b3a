import type { Collection } from "./collection.js";
import { describeConfig, readCreateCollection } from "./collection-config.js";
import { badRequest, conflict } from "./errors.js";
import type { Operation } from "./ops.js";
import type {
  CreateCollection,
  CreateFieldIndex,
  UpdateCollection,
} from "./requests/qdrant-requests.generated.js";
import type { LocalStore } from "./store.js";

/** Checked collection requests turned into store operations, and collection info as Qdrant reports it. */

/** Qdrant's rule (no `/ \ * < > : | ? "` or NUL, at most 255), and never `.` or `..`, which name directories. */
const NAME_RE = /^(?!\.\.?$)[^/\\\0*<>:|?"]{1,255}$/;

function notExistingName(name: string) {
  return badRequest(`Wrong input: Not existing vector name error: ${name}`);
}

export function createCollectionOp(store: LocalStore, name: string, body: CreateCollection): Operation {
  if (!NAME_RE.test(name)) {
    throw badRequest(
      `Validation error in path parameters: [name: collection name must be 1-255 characters without / \\ * < > : | ? " or NUL, and not "." or ".."]`,
    );
  }
  const config = readCreateCollection(body);
  if (store.collections.has(name)) throw conflict(`Wrong input: Collection \`${name}\` already exists!`);
  return { type: "create_collection", collection: name, config };
}

/** `PATCH /collections/{name}`: metadata and sparse modifiers change; other settings are checked and kept as they are. */
export function updateCollectionOp(collection: Collection, body: UpdateCollection): Operation {
  for (const name of Object.keys(body.vectors ?? {}))
    if (!(name in collection.config.vectors)) throw notExistingName(name);
  const sparseModifiers: Record<string, "idf" | "none"> = {};
  for (const [name, params] of Object.entries(body.sparse_vectors ?? {})) {
    if (!(name in collection.config.sparse)) throw notExistingName(name);
    if (params.modifier) sparseModifiers[name] = params.modifier;
  }
  return {
    type: "update_collection",
    collection: collection.name,
    metadata: body.metadata ?? null,
    sparseModifiers,
  };
}

export function createIndexOp(collection: Collection, body: CreateFieldIndex): Operation {
  if (!body.field_schema)
    throw badRequest("Bad request: field_schema is required: qdrant-local does not infer a field's type");
  return {
    type: "create_index",
    collection: collection.name,
    field: body.field_name,
    schema: body.field_schema,
  };
}

/** `GET /collections/{name}`. */
export function describeCollection(collection: Collection): Record<string, unknown> {
  const payloadSchema: Record<string, unknown> = {};
  for (const [field, ix] of collection.payloadIndexes) {
    const params = typeof ix.schema === "object" && ix.schema !== null ? ix.schema : undefined;
    payloadSchema[field] = {
      data_type: ix.dataType,
      ...(params ? { params } : {}),
      points: collection.countWithField(field),
    };
  }
  let indexed = 0;
  for (const s of collection.sparse.values()) indexed += s.count;
  return {
    status: "green",
    optimizer_status: "ok",
    indexed_vectors_count: indexed,
    points_count: collection.size,
    segments_count: 1,
    config: describeConfig(collection.config),
    payload_schema: payloadSchema,
  };
}

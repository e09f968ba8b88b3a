import type { Collection } from "./collection.js";
import { badRequest, formatError, unprocessable } from "./errors.js";
import type { PointInput, VectorInput } from "./ops.js";
import { type PointId, parsePointId } from "./point-id.js";

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function notExistingName(name: string) {
  return badRequest(`Wrong input: Not existing vector name error: ${name}`);
}

/** Checks a dense vector's numbers and length. */
export function readDenseNumbers(value: unknown[], expected: number, where: string): number[] {
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x !== "number" || !Number.isFinite(x))
      throw formatError(`${where}[${i}]`, "expected a finite number");
  }
  if (value.length !== expected) {
    throw badRequest(`Wrong input: Vector dimension error: expected dim: ${expected}, got ${value.length}`);
  }
  return value as number[];
}

/** Checks a sparse vector: same-length lists, unique unsigned 32-bit indices, finite values. */
export function readSparse(
  value: Record<string, unknown>,
  where: string,
): { indices: number[]; values: number[] } {
  const { indices, values } = value;
  if (!Array.isArray(indices)) throw formatError(`${where}.indices`, "expected a list of unsigned integers");
  if (!Array.isArray(values)) throw formatError(`${where}.values`, "expected a list of numbers");
  for (let i = 0; i < indices.length; i++) {
    const x = indices[i];
    if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > 0xffffffff) {
      throw formatError(`${where}.indices[${i}]`, "expected an unsigned 32-bit integer");
    }
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== "number" || !Number.isFinite(x))
      throw formatError(`${where}.values[${i}]`, "expected a finite number");
  }
  if (indices.length !== values.length) {
    throw unprocessable(
      `Validation error in JSON body: [${where}.values: Validation error: must be the same length as indices [{}]]`,
    );
  }
  if (new Set(indices).size !== indices.length) {
    throw unprocessable(
      `Validation error in JSON body: [${where}.indices: Validation error: must be unique [{}]]`,
    );
  }
  return { indices: indices as number[], values: values as number[] };
}

/** Checks one named vector against the collection's config. */
export function readNamedVector(
  collection: Collection,
  name: string,
  value: unknown,
  where: string,
): VectorInput {
  const dense = collection.config.vectors[name];
  if (dense) {
    if (!Array.isArray(value)) {
      if (isPlainObject(value) && ("indices" in value || "values" in value)) {
        throw badRequest(
          `Wrong input: Conversion between sparse and regular vectors failed (vector \`${name}\` is dense)`,
        );
      }
      throw formatError(where, "expected a list of numbers");
    }
    if (value.length > 0 && Array.isArray(value[0]))
      throw badRequest("Wrong input: multivectors are not supported by qdrant-local");
    if (value.length === 0)
      throw unprocessable(`Validation error in JSON body: [${where}: dense vector must not be empty]`);
    return readDenseNumbers(value, dense.size, where);
  }
  if (collection.config.sparse[name]) {
    if (!isPlainObject(value)) {
      if (Array.isArray(value))
        throw badRequest(
          `Wrong input: Conversion between sparse and regular vectors failed (vector \`${name}\` is sparse)`,
        );
      throw formatError(where, "expected a sparse vector {indices, values}");
    }
    // Qdrant names the vector of a failed sparse check "?" (points[0].vector.?.values).
    return readSparse(value, where.endsWith(`.${name}`) ? `${where.slice(0, -name.length - 1)}.?` : where);
  }
  throw notExistingName(name);
}

/** A point's `vector` field: a bare list for the unnamed vector, or a map of names. */
export function readVectorStruct(
  collection: Collection,
  value: unknown,
  where: string,
): Record<string, VectorInput> {
  if (Array.isArray(value)) {
    if (!collection.config.vectors[""]) throw notExistingName("");
    return { "": readNamedVector(collection, "", value, where) };
  }
  if (!isPlainObject(value))
    throw formatError(where, "expected a vector (list of numbers) or a map of named vectors");
  const out: Record<string, VectorInput> = {};
  for (const [name, v] of Object.entries(value))
    out[name] = readNamedVector(collection, name, v, `${where}.${name}`);
  return out;
}

function readPayload(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw formatError(where, "invalid type: expected a JSON object");
  return value;
}

/** The body of `PUT /points`: `{points: [...]}` or `{batch: {ids, vectors, payloads}}`. */
export function readUpsert(collection: Collection, body: unknown): PointInput[] {
  if (!isPlainObject(body))
    throw formatError("", "invalid type: expected an object with `points` or `batch`");
  if (Array.isArray(body.points)) {
    return body.points.map((p, i) => {
      const where = `points[${i}]`;
      if (!isPlainObject(p)) throw formatError(where, "expected a point object");
      const id = parsePointId(p.id, `${where}.id`);
      if (p.vector === undefined) throw formatError(where, "missing field `vector`");
      return {
        id,
        vectors: readVectorStruct(collection, p.vector, `${where}.vector`),
        payload: readPayload(p.payload, `${where}.payload`),
      };
    });
  }
  if (isPlainObject(body.batch)) {
    const { ids, vectors, payloads } = body.batch;
    if (!Array.isArray(ids)) throw formatError("batch.ids", "expected a list of point ids");
    const n = ids.length;
    const perPoint: Array<Record<string, VectorInput>> = ids.map(() => ({}));
    const addColumn = (name: string, column: unknown, where: string) => {
      if (!Array.isArray(column)) throw formatError(where, "expected a list of vectors");
      if (column.length !== n)
        throw badRequest(
          `Wrong input: number of ids (${n}) and vectors (${column.length}) differ at ${where}`,
        );
      column.forEach((v, i) => {
        (perPoint[i] as Record<string, VectorInput>)[name] = readNamedVector(
          collection,
          name,
          v,
          `${where}[${i}]`,
        );
      });
    };
    if (Array.isArray(vectors)) {
      if (!collection.config.vectors[""]) throw notExistingName("");
      addColumn("", vectors, "batch.vectors");
    } else if (isPlainObject(vectors)) {
      for (const [name, column] of Object.entries(vectors)) addColumn(name, column, `batch.vectors.${name}`);
    } else throw formatError("batch.vectors", "expected a list of vectors or a map of named lists");
    if (payloads !== undefined && payloads !== null) {
      if (!Array.isArray(payloads) || payloads.length !== n) {
        throw badRequest(`Wrong input: number of ids (${n}) and payloads differ`);
      }
    }
    return ids.map((id, i) => ({
      id: parsePointId(id, `batch.ids[${i}]`),
      vectors: perPoint[i] as Record<string, VectorInput>,
      payload: readPayload(Array.isArray(payloads) ? payloads[i] : undefined, `batch.payloads[${i}]`),
    }));
  }
  throw formatError("", "data did not match any variant of untagged enum PointInsertOperations");
}

export function readIdList(value: unknown, where: string): PointId[] {
  if (!Array.isArray(value)) throw formatError(where, "expected a list of point ids");
  return value.map((id, i) => parsePointId(id, `${where}[${i}]`));
}

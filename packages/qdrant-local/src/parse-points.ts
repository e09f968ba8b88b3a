import type { Collection } from "./collection.js";
import { badRequest, formatError, pointNotFound, unprocessable } from "./errors.js";
import type { PointInput, VectorInput } from "./ops.js";
import { type PointId, parsePointId } from "./point-id.js";
import type {
  Document,
  ExtendedPointId,
  Image,
  InferenceObject,
  PointInsertOperations,
  PointVectors,
  SparseVector,
  Vector,
  VectorStruct,
} from "./requests/qdrant-requests.generated.js";
import { isVariant } from "./requests/variant.js";

/** A point's vectors and a query's vector, read against the collection's config (the schema has checked the types). */

function notExistingName(name: string) {
  return badRequest(`Wrong input: Not existing vector name error: ${name}`);
}

/** What is left where a vector goes once documents are embedded: images and objects, which no model here reads. */
export function inferenceObjectRefused() {
  return badRequest(
    "Bad request: images and objects (inference) are not available in qdrant-local; documents are, for qdrant/bm25 and the dense models it was started with",
  );
}

export function isMultiVector(vector: number[] | number[][]): vector is number[][] {
  return vector.some(Array.isArray);
}

/** A dense vector's length against its vector's size. */
export function checkDimension(vector: number[], expected: number): number[] {
  if (vector.length !== expected)
    throw badRequest(`Wrong input: Vector dimension error: expected dim: ${expected}, got ${vector.length}`);
  return vector;
}

/** Qdrant's checks of a sparse vector: indices within u32, lists of one length, no index twice. */
export function checkSparse(vector: SparseVector, where: string): SparseVector {
  const { indices, values } = vector;
  const tooLarge = indices.findIndex((x) => x > 0xffffffff);
  if (tooLarge >= 0)
    throw formatError(`${where}.indices[${tooLarge}]`, "expected an unsigned 32-bit integer");
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
  return vector;
}

function conversionFailed(name: string, kind: "dense" | "sparse") {
  return badRequest(
    `Wrong input: Conversion between sparse and regular vectors failed (vector \`${name}\` is ${kind})`,
  );
}

/** Checks one named vector against the collection's config. */
function readNamedVector(collection: Collection, name: string, value: Vector, where: string): VectorInput {
  const dense = collection.config.vectors[name];
  const sparse = collection.config.sparse[name];
  if (!dense && !sparse) throw notExistingName(name);
  if (Array.isArray(value)) {
    if (!dense) throw conversionFailed(name, "sparse");
    if (isMultiVector(value)) throw badRequest("Wrong input: multivectors are not supported by qdrant-local");
    if (value.length === 0)
      throw unprocessable(`Validation error in JSON body: [${where}: dense vector must not be empty]`);
    return checkDimension(value, dense.size);
  }
  if (!isVariant(value, "SparseVector")) throw inferenceObjectRefused();
  if (!sparse) throw conversionFailed(name, "dense");
  // Qdrant names the vector of a failed sparse check "?" (points[0].vector.?.values).
  return checkSparse(value, where.endsWith(`.${name}`) ? `${where.slice(0, -name.length - 1)}.?` : where);
}

/** A `model` string: no vector map has one (a string is no vector), so the value is a document, image or object. */
function isInferenceInput(value: object): value is Document | Image | InferenceObject {
  return "model" in value && typeof value.model === "string";
}

/** A point's `vector` field: a bare list for the unnamed vector, or a map of names. */
function readVectorStruct(
  collection: Collection,
  value: VectorStruct,
  where: string,
): Record<string, VectorInput> {
  if (Array.isArray(value)) {
    if (!collection.config.vectors[""]) throw notExistingName("");
    return { "": readNamedVector(collection, "", value, where) };
  }
  if (isInferenceInput(value)) throw inferenceObjectRefused();
  const out: Record<string, VectorInput> = {};
  for (const [name, v] of Object.entries(value))
    out[name] = readNamedVector(collection, name, v, `${where}.${name}`);
  return out;
}

/** The body of `PUT /points`: `{points: [...]}` or `{batch: {ids, vectors, payloads}}`. */
export function readUpsert(collection: Collection, body: PointInsertOperations): PointInput[] {
  if (!isVariant(body, "PointsBatch")) {
    return body.points.map((p, i) => ({
      id: parsePointId(p.id, `points[${i}].id`),
      vectors: readVectorStruct(collection, p.vector, `points[${i}].vector`),
      payload: p.payload ?? {},
    }));
  }
  const { ids, vectors, payloads } = body.batch;
  const n = ids.length;
  const perPoint: Array<Record<string, VectorInput>> = ids.map(() => ({}));
  const addColumn = (name: string, column: readonly Vector[], where: string) => {
    if (column.length !== n)
      throw badRequest(`Wrong input: number of ids (${n}) and vectors (${column.length}) differ at ${where}`);
    column.forEach((v, i) => {
      const point = perPoint[i];
      if (point) point[name] = readNamedVector(collection, name, v, `${where}[${i}]`);
    });
  };
  if (Array.isArray(vectors)) {
    if (!collection.config.vectors[""]) throw notExistingName("");
    addColumn("", vectors, "batch.vectors");
  } else
    for (const [name, column] of Object.entries(vectors)) addColumn(name, column, `batch.vectors.${name}`);
  if (payloads && payloads.length !== n)
    throw badRequest(`Wrong input: number of ids (${n}) and payloads differ`);
  return ids.map((id, i) => ({
    id: parsePointId(id, `batch.ids[${i}]`),
    vectors: perPoint[i] ?? {},
    payload: payloads?.[i] ?? {},
  }));
}

/** `PUT points/vectors` and `update_vectors`: new vectors for points that must exist. */
export function readVectorUpdates(
  collection: Collection,
  points: readonly PointVectors[],
  where: string,
): Array<{ id: PointId; vectors: Record<string, VectorInput> }> {
  return points.map((p, i) => {
    const id = parsePointId(p.id, `${where}[${i}].id`);
    if (!collection.points.has(id)) throw pointNotFound(id);
    return { id, vectors: readVectorStruct(collection, p.vector, `${where}[${i}].vector`) };
  });
}

export function readIdList(ids: readonly ExtendedPointId[], where: string): PointId[] {
  return ids.map((id, i) => parsePointId(id, `${where}[${i}]`));
}

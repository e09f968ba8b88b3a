import { isPlainObject } from "../parse-points.js";
import {
  type DocumentInput,
  embedDocuments,
  type InferenceKind,
  type InferenceModels,
  isDocument,
  readDocument,
} from "./models.js";

/** One document found in a request body, and where its vector goes. */
interface Slot {
  doc: DocumentInput;
  kind: InferenceKind;
  put(vector: unknown): void;
}

type Walk = (value: unknown, where: string, slots: Slot[]) => void;

function at(
  container: Record<string, unknown> | unknown[],
  key: string | number,
  kind: InferenceKind,
  where: string,
  slots: Slot[],
): void {
  const value = (container as Record<string | number, unknown>)[key];
  if (!isDocument(value)) return;
  slots.push({
    doc: readDocument(value, where),
    kind,
    put: (vector) => {
      (container as Record<string | number, unknown>)[key] = vector;
    },
  });
}

/** A point's `vector`: a document (the unnamed vector) or a map of names to vectors or documents. */
function pointVector(point: Record<string, unknown>, where: string, slots: Slot[]): void {
  const vector = point.vector;
  if (isDocument(vector)) at(point, "vector", "document", `${where}.vector`, slots);
  else if (isPlainObject(vector)) {
    for (const name of Object.keys(vector)) at(vector, name, "document", `${where}.vector.${name}`, slots);
  }
}

/** Upsert bodies: `points: [...]` (list form) or `batch: {vectors}` (batch form). */
const upsertBody: Walk = (body, where, slots) => {
  if (!isPlainObject(body)) return;
  const prefix = where ? `${where}.` : "";
  if (Array.isArray(body.points)) {
    body.points.forEach((p, i) => {
      if (isPlainObject(p)) pointVector(p, `${prefix}points[${i}]`, slots);
    });
  }
  const batch = body.batch;
  if (isPlainObject(batch)) {
    const vectors = batch.vectors;
    if (Array.isArray(vectors))
      for (let i = 0; i < vectors.length; i++)
        at(vectors, i, "document", `${prefix}batch.vectors[${i}]`, slots);
    else if (isPlainObject(vectors)) {
      for (const [name, list] of Object.entries(vectors)) {
        if (Array.isArray(list))
          for (let i = 0; i < list.length; i++)
            at(list, i, "document", `${prefix}batch.vectors.${name}[${i}]`, slots);
      }
    }
  }
};

/** `PUT points/vectors`: `points: [{id, vector}]`. */
const vectorsBody: Walk = (body, where, slots) => {
  if (!isPlainObject(body) || !Array.isArray(body.points)) return;
  const prefix = where ? `${where}.` : "";
  body.points.forEach((p, i) => {
    if (isPlainObject(p)) pointVector(p, `${prefix}points[${i}]`, slots);
  });
};

/** `points/batch`: upsert and update_vectors operations. */
const batchBody: Walk = (body, _where, slots) => {
  if (!isPlainObject(body) || !Array.isArray(body.operations)) return;
  body.operations.forEach((op, i) => {
    if (!isPlainObject(op)) return;
    if (op.upsert !== undefined) upsertBody(op.upsert, `operations[${i}].upsert`, slots);
    if (op.update_vectors !== undefined)
      vectorsBody(op.update_vectors, `operations[${i}].update_vectors`, slots);
  });
};

/** A query node: `query` (a document, or `nearest: document`) and its `prefetch` (one or a list), recursively. */
const queryBody: Walk = (body, where, slots) => {
  if (!isPlainObject(body)) return;
  const prefix = where ? `${where}.` : "";
  const query = body.query;
  if (isDocument(query)) at(body, "query", "query", `${prefix}query`, slots);
  else if (isPlainObject(query) && isDocument(query.nearest))
    at(query, "nearest", "query", `${prefix}query.nearest`, slots);
  const prefetch = body.prefetch;
  if (Array.isArray(prefetch))
    for (const [i, p] of prefetch.entries()) queryBody(p, `${prefix}prefetch[${i}]`, slots);
  else if (isPlainObject(prefetch)) queryBody(prefetch, `${prefix}prefetch`, slots);
};

const queryBatchBody: Walk = (body, _where, slots) => {
  if (!isPlainObject(body) || !Array.isArray(body.searches)) return;
  for (const [i, q] of body.searches.entries()) queryBody(q, `searches[${i}]`, slots);
};

const COLLECTION = "/collections/[^/]+/points";
const WALKS: Array<[method: string, path: RegExp, walk: Walk]> = [
  ["PUT", new RegExp(`^${COLLECTION}/?$`), upsertBody],
  ["PUT", new RegExp(`^${COLLECTION}/vectors/?$`), vectorsBody],
  ["POST", new RegExp(`^${COLLECTION}/batch/?$`), batchBody],
  ["POST", new RegExp(`^${COLLECTION}/query(/groups)?/?$`), queryBody],
  ["POST", new RegExp(`^${COLLECTION}/query/batch/?$`), queryBatchBody],
];

/**
 * Replaces the inference documents (`{text, model, options}`) of a request body with the vectors their models give,
 * in place, before the body is parsed like any other: a document in an upsert or vector update is embedded as a
 * document, one in a query (root, nearest, nested prefetch, batch) as a query. Documents of one model are embedded
 * together. Bodies of other routes, and bodies with no document, are left as they are.
 */
export async function resolveDocuments(
  method: string,
  path: string,
  body: unknown,
  models: InferenceModels,
): Promise<void> {
  const walk = WALKS.find(([m, p]) => m === method && p.test(path))?.[2];
  if (!walk) return;
  const slots: Slot[] = [];
  walk(body, "", slots);
  if (slots.length === 0) return;
  const groups = new Map<string, Slot[]>();
  for (const slot of slots) {
    const key = `${slot.kind}\u0000${slot.doc.model.toLowerCase()}`;
    const group = groups.get(key);
    if (group) group.push(slot);
    else groups.set(key, [slot]);
  }
  for (const group of groups.values()) {
    const vectors = await embedDocuments(
      group.map((s) => s.doc),
      (group[0] as Slot).kind,
      models,
    );
    for (const [i, slot] of group.entries()) slot.put(vectors[i]);
  }
}

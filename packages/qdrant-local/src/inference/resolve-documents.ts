import { isJsonObject } from "../payload-path.js";
import {
  type DocumentInput,
  embedDocuments,
  type InferenceKind,
  type InferenceModels,
  isDocument,
} from "./models.js";

/** One document found in a request body, and where its vector goes. */
interface Slot {
  doc: DocumentInput;
  kind: InferenceKind;
  put(vector: unknown): void;
}

/** Finds the documents in one kind of request body (already checked against its schema). */
export type DocumentWalk = (body: unknown, slots: Slot[]) => void;

/** A document at `container[key]`, if there is one there. */
function at(
  container: Record<string, unknown> | unknown[],
  key: string | number,
  kind: InferenceKind,
  slots: Slot[],
) {
  const value = Array.isArray(container) ? container[Number(key)] : container[key];
  if (!isDocument(value)) return;
  const put = Array.isArray(container)
    ? (vector: unknown) => {
        container[Number(key)] = vector;
      }
    : (vector: unknown) => {
        container[key] = vector;
      };
  slots.push({ doc: { text: value.text, model: value.model, options: value.options }, kind, put });
}

/** Documents of a list, or of a map of names to values or lists. */
function each(value: unknown, kind: InferenceKind, slots: Slot[]): void {
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) at(value, i, kind, slots);
  else if (isJsonObject(value)) for (const name of Object.keys(value)) at(value, name, kind, slots);
}

/** Points with a `vector`: a document (the unnamed vector) or a map of names to vectors or documents. */
function pointVectors(points: unknown, slots: Slot[]): void {
  if (!Array.isArray(points)) return;
  for (const point of points) {
    if (!isJsonObject(point)) continue;
    at(point, "vector", "document", slots);
    if (!isDocument(point.vector)) each(point.vector, "document", slots);
  }
}

/** Upsert bodies: `points: [...]` (list form) or `batch: {vectors}` (batch form). */
export const upsertDocuments: DocumentWalk = (body, slots) => {
  if (!isJsonObject(body)) return;
  pointVectors(body.points, slots);
  const vectors = isJsonObject(body.batch) ? body.batch.vectors : undefined;
  if (Array.isArray(vectors)) each(vectors, "document", slots);
  else if (isJsonObject(vectors))
    for (const column of Object.values(vectors)) each(column, "document", slots);
};

/** `PUT points/vectors`: `points: [{id, vector}]`. */
export const vectorUpdateDocuments: DocumentWalk = (body, slots) => {
  if (isJsonObject(body)) pointVectors(body.points, slots);
};

/** `points/batch`: upsert and update_vectors operations. */
export const batchDocuments: DocumentWalk = (body, slots) => {
  if (!isJsonObject(body) || !Array.isArray(body.operations)) return;
  for (const op of body.operations) {
    if (!isJsonObject(op)) continue;
    upsertDocuments(op.upsert, slots);
    vectorUpdateDocuments(op.update_vectors, slots);
  }
};

/** A query node: `query` (a document, or `nearest: document`) and its `prefetch` (one or a list), recursively. */
export const queryDocuments: DocumentWalk = (body, slots) => {
  if (!isJsonObject(body)) return;
  at(body, "query", "query", slots);
  if (isJsonObject(body.query)) at(body.query, "nearest", "query", slots);
  for (const prefetch of [body.prefetch].flat()) queryDocuments(prefetch, slots);
};

export const queryBatchDocuments: DocumentWalk = (body, slots) => {
  if (!isJsonObject(body) || !Array.isArray(body.searches)) return;
  for (const query of body.searches) queryDocuments(query, slots);
};

/**
 * Replaces the inference documents (`{text, model, options}`) of a request body with the vectors their models give,
 * in place, before the body is read like any other: a document in an upsert or vector update is embedded as a
 * document, one in a query (root, nearest, nested prefetch, batch) as a query. Documents of one model are embedded
 * together. Each route names the walk that finds the documents of its body.
 */
export async function resolveDocuments(
  walk: DocumentWalk,
  body: unknown,
  models: InferenceModels,
): Promise<void> {
  const slots: Slot[] = [];
  walk(body, slots);
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

import type { CollectionConfig } from "./collection-config.js";
import { DenseStore } from "./dense-store.js";
import type { FilterEnv, FilterTarget } from "./filter.js";
import type { PointInput, VectorInput } from "./ops.js";
import { deleteAt, mergeAt, mergePayload, parsePath, valuesAt } from "./payload-path.js";
import { comparePointIds, type PointId } from "./point-id.js";
import type { PayloadFieldSchema } from "./requests/qdrant-requests.generated.js";
import { SparseIndex, type SparseVector } from "./sparse-index.js";
import { wordTokens } from "./text-tokens.js";

export interface StoredPoint extends FilterTarget {
  version: number;
}

export interface PayloadIndex {
  schema: PayloadFieldSchema;
  dataType: string;
}

/** A payload index's type: the schema is the type's name, or parameters naming it. */
export function indexDataType(schema: PayloadFieldSchema): string {
  return typeof schema === "string" ? schema : schema.type;
}

/** The in-memory state of one collection. Mutations take validated input (see ops.ts) and can't fail. */
export class Collection implements FilterEnv {
  readonly points = new Map<PointId, StoredPoint>();
  readonly slots: Array<StoredPoint | undefined> = [];
  private readonly freeSlots: number[] = [];
  readonly dense = new Map<string, DenseStore>();
  readonly sparse = new Map<string, SparseIndex>();
  readonly payloadIndexes = new Map<string, PayloadIndex>();
  private sortedIds: PointId[] | undefined;
  /** Number of the last operation applied; point versions are operation numbers. */
  version = 0;

  constructor(
    readonly name: string,
    readonly config: CollectionConfig,
  ) {
    for (const [n, p] of Object.entries(config.vectors))
      this.dense.set(n, new DenseStore(p.size, p.distance));
    for (const [n, p] of Object.entries(config.sparse))
      this.sparse.set(n, new SparseIndex(p.modifier === "idf"));
  }

  get size(): number {
    return this.points.size;
  }

  /** Slots in use are below this bound. */
  get slotEnd(): number {
    return this.slots.length;
  }

  hasVector(name: string, slot: number): boolean {
    return this.dense.get(name)?.has(slot) ?? this.sparse.get(name)?.has(slot) ?? false;
  }

  textTokenizer(key: string): ((text: string) => string[]) | undefined {
    const index = this.payloadIndexes.get(key);
    if (index?.dataType !== "text") return undefined;
    return wordTokens;
  }

  private nextVersion(): number {
    this.version += 1;
    return this.version;
  }

  private setVector(slot: number, name: string, vector: VectorInput): void {
    if (Array.isArray(vector) || vector instanceof Float32Array) this.dense.get(name)?.set(slot, vector);
    else {
      const sv: SparseVector = {
        indices: Uint32Array.from(vector.indices),
        values: Float32Array.from(vector.values),
      };
      this.sparse.get(name)?.set(slot, sv);
    }
  }

  private clearVectors(slot: number): void {
    for (const store of this.dense.values()) store.delete(slot);
    for (const index of this.sparse.values()) index.delete(slot);
  }

  upsert(points: readonly PointInput[]): number {
    const version = this.nextVersion();
    for (const p of points) {
      let point = this.points.get(p.id);
      if (point) this.clearVectors(point.slot);
      else {
        const slot = this.freeSlots.pop() ?? this.slots.length;
        point = { id: p.id, slot, payload: {}, version };
        this.slots[slot] = point;
        this.points.set(p.id, point);
        this.sortedIds = undefined;
      }
      // Each upserted payload is a fresh object from the request body (or the log), so it is kept as is.
      point.payload = p.payload;
      point.version = version;
      for (const [name, vector] of Object.entries(p.vectors)) this.setVector(point.slot, name, vector);
    }
    return version;
  }

  deletePoints(ids: readonly PointId[]): number {
    const version = this.nextVersion();
    for (const id of ids) {
      const point = this.points.get(id);
      if (!point) continue;
      this.clearVectors(point.slot);
      this.slots[point.slot] = undefined;
      this.freeSlots.push(point.slot);
      this.points.delete(id);
      this.sortedIds = undefined;
    }
    return version;
  }

  private eachPoint(ids: readonly PointId[], fn: (point: StoredPoint) => void): number {
    const version = this.nextVersion();
    for (const id of ids) {
      const point = this.points.get(id);
      if (!point) continue;
      fn(point);
      point.version = version;
    }
    return version;
  }

  setPayload(ids: readonly PointId[], payload: Record<string, unknown>, key: string | null): number {
    return this.eachPoint(ids, (point) => {
      if (key === null) mergePayload(point.payload, payload);
      else mergeAt(point.payload, parsePath(key), payload);
    });
  }

  overwritePayload(ids: readonly PointId[], payload: Record<string, unknown>): number {
    return this.eachPoint(ids, (point) => {
      point.payload = structuredClone(payload);
    });
  }

  deletePayload(ids: readonly PointId[], keys: readonly string[]): number {
    const paths = keys.map(parsePath);
    return this.eachPoint(ids, (point) => {
      for (const path of paths) deleteAt(point.payload, path);
    });
  }

  clearPayload(ids: readonly PointId[]): number {
    return this.eachPoint(ids, (point) => {
      point.payload = {};
    });
  }

  updateVectors(points: ReadonlyArray<{ id: PointId; vectors: Record<string, VectorInput> }>): number {
    const version = this.nextVersion();
    for (const p of points) {
      const point = this.points.get(p.id);
      if (!point) continue;
      for (const [name, vector] of Object.entries(p.vectors)) this.setVector(point.slot, name, vector);
      point.version = version;
    }
    return version;
  }

  deleteVectors(ids: readonly PointId[], names: readonly string[]): number {
    return this.eachPoint(ids, (point) => {
      for (const name of names) {
        this.dense.get(name)?.delete(point.slot);
        this.sparse.get(name)?.delete(point.slot);
      }
    });
  }

  /** Point ids in Qdrant's order (numbers, then UUIDs), cached until the id set changes. */
  orderedIds(): PointId[] {
    if (!this.sortedIds) this.sortedIds = [...this.points.keys()].sort(comparePointIds);
    return this.sortedIds;
  }

  /** The point's vectors as Qdrant returns them (`names`: which ones; undefined = all). */
  vectorsOf(point: StoredPoint, names: ReadonlySet<string> | undefined): unknown {
    const out: Record<string, unknown> = {};
    for (const [name, store] of this.dense) {
      if (names && !names.has(name)) continue;
      const v = store.get(point.slot);
      if (v) out[name] = v;
    }
    for (const [name, index] of this.sparse) {
      if (names && !names.has(name)) continue;
      const v = index.get(point.slot);
      if (v) out[name] = { indices: Array.from(v.indices), values: Array.from(v.values) };
    }
    // Like Qdrant, a point whose only vector is the unnamed one shows it as a bare list.
    const keys = Object.keys(out);
    if (keys.length === 1 && keys[0] === "") return out[""];
    return out;
  }

  /** How many points hold a value at a payload key (for payload_schema's `points`). */
  countWithField(field: string): number {
    const path = parsePath(field);
    let n = 0;
    for (const point of this.points.values()) if (valuesAt(point.payload, path).some((v) => v !== null)) n++;
    return n;
  }

  /** Approximate bytes held: vector stores plus a JSON-size estimate of payloads and per-point bookkeeping. */
  estimateBytes(): number {
    let total = 0;
    for (const store of this.dense.values()) total += store.bytes();
    for (const index of this.sparse.values()) total += index.bytes();
    for (const point of this.points.values()) total += 96 + JSON.stringify(point.payload).length * 2;
    return total;
  }
}

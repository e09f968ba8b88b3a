import {
  closeSync,
  createReadStream,
  existsSync,
  fdatasync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Collection, indexDataType } from "./collection.js";
import type { CollectionConfig } from "./collection-config.js";
import type { Operation, VectorInput } from "./ops.js";
import type { PointId } from "./point-id.js";
import type { PayloadFieldSchema } from "./requests/qdrant-requests.generated.js";
import { lockStorage } from "./storage-lock.js";
import { LocalStore } from "./store.js";

const WAL_FILE = "wal.jsonl";
const SNAPSHOT_FILE = "snapshot.jsonl";

interface SnapshotHead {
  format: 1;
  lsn: number;
  collections: Array<{
    name: string;
    config: CollectionConfig;
    version: number;
    indexes: Array<{ field: string; schema: PayloadFieldSchema }>;
  }>;
}

/**
 * Durable storage: a write-ahead log of operations (one JSON line each, numbered) and a snapshot written on open and close.
 * Appends are synchronous writes in apply order; `sync()` groups the fdatasync of every append made so far, so concurrent
 * requests share one flush.
 */
export class WriteAheadLog {
  private fd: number;
  private lsn = 0;
  private written = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  private walBytes = 0;
  private release: () => void = () => {};

  private constructor(
    private readonly dir: string,
    readonly store: LocalStore,
  ) {
    this.fd = -1;
  }

  /** Opens (or creates) a storage folder: loads the snapshot, replays the log, then compacts both into a new snapshot. */
  static async open(dir: string): Promise<WriteAheadLog> {
    mkdirSync(dir, { recursive: true });
    const release = lockStorage(dir);
    try {
      const wal = new WriteAheadLog(dir, new LocalStore());
      wal.release = release;
      await wal.load();
      wal.compact();
      return wal;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Files are read line by line: a large snapshot is far bigger than the longest string V8 allows. */
  private async load(): Promise<void> {
    const snapPath = join(this.dir, SNAPSHOT_FILE);
    if (existsSync(snapPath)) {
      let head: SnapshotHead | undefined;
      for await (const line of lines(snapPath)) {
        if (!line) continue;
        if (!head) {
          head = JSON.parse(line) as SnapshotHead;
          this.lsn = head.lsn;
          for (const c of head.collections) {
            this.store.apply({ type: "create_collection", collection: c.name, config: c.config });
          }
          continue;
        }
        const chunk = JSON.parse(line) as { c: string; points: SnapshotPoint[] };
        const collection = this.store.collections.get(chunk.c);
        if (collection) for (const p of chunk.points) restorePoint(collection, p);
      }
      for (const c of head?.collections ?? []) {
        const collection = this.store.collections.get(c.name);
        if (!collection) continue;
        collection.version = c.version;
        for (const ix of c.indexes) {
          collection.payloadIndexes.set(ix.field, { schema: ix.schema, dataType: indexDataType(ix.schema) });
        }
      }
    }
    const walPath = join(this.dir, WAL_FILE);
    if (existsSync(walPath)) {
      for await (const line of lines(walPath)) {
        if (!line) continue;
        let record: { lsn: number; op: Operation };
        try {
          record = JSON.parse(line) as { lsn: number; op: Operation };
        } catch {
          break; // a torn last line: the write that was cut was never acknowledged
        }
        if (record.lsn <= this.lsn) continue;
        this.store.apply(record.op);
        this.lsn = record.lsn;
      }
    }
  }

  /** Writes the whole state as a new snapshot (atomic rename), then starts an empty log. */
  compact(): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
    const tmp = join(this.dir, `${SNAPSHOT_FILE}.tmp`);
    const fd = openSync(tmp, "w");
    const head: SnapshotHead = { format: 1, lsn: this.lsn, collections: [] };
    for (const c of this.store.collections.values()) {
      head.collections.push({
        name: c.name,
        config: c.config,
        version: c.version,
        indexes: [...c.payloadIndexes].map(([field, ix]) => ({ field, schema: ix.schema })),
      });
    }
    writeSync(fd, `${JSON.stringify(head)}\n`);
    for (const c of this.store.collections.values()) writePoints(fd, c);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, SNAPSHOT_FILE));
    const dirFd = openSync(this.dir, "r");
    fsyncSync(dirFd);
    closeSync(dirFd);
    this.fd = openSync(join(this.dir, WAL_FILE), "a");
    ftruncateSync(this.fd, 0);
    fsyncSync(this.fd);
    this.walBytes = 0;
  }

  /** Appends an operation to the log (not yet flushed) and applies it; returns the store's result. */
  append(op: Operation): number {
    this.lsn += 1;
    const line = `${JSON.stringify({ lsn: this.lsn, op })}\n`;
    writeSync(this.fd, line);
    this.walBytes += line.length;
    this.written += 1;
    return this.store.apply(op);
  }

  /** Resolves once every append made before the call is on disk. */
  async sync(): Promise<void> {
    const target = this.written;
    while (this.synced < target) {
      if (!this.syncing) {
        const upTo = this.written;
        this.syncing = new Promise<void>((resolve, reject) => {
          fdatasync(this.fd, (err) => {
            this.syncing = undefined;
            if (err) reject(err);
            else {
              this.synced = Math.max(this.synced, upTo);
              resolve();
            }
          });
        });
      }
      await this.syncing;
    }
  }

  /** Size of the log since the last snapshot, to decide when to compact. */
  get logBytes(): number {
    return this.walBytes;
  }

  /** Flushes and releases the folder; with `compact: false` the log is left for replay at the next open (a fast stop). */
  async close(options: { compact?: boolean } = {}): Promise<void> {
    await this.syncing;
    if (options.compact ?? true) this.compact();
    else fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    this.release();
  }
}

/** A point in the snapshot: dense vectors as base64 of their f32 bytes (a quarter of their JSON size). */
interface SnapshotPoint {
  id: PointId;
  version: number;
  payload: Record<string, unknown>;
  dense: Record<string, string>;
  sparse: Record<string, { indices: number[]; values: number[] }>;
}

function lines(path: string): AsyncIterable<string> {
  return createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
}

function restorePoint(collection: Collection, p: SnapshotPoint): void {
  const vectors: Record<string, VectorInput> = { ...p.sparse };
  for (const [name, b64] of Object.entries(p.dense)) {
    const bytes = Buffer.from(b64, "base64");
    vectors[name] = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  collection.upsert([{ id: p.id, vectors, payload: p.payload }]);
  const stored = collection.points.get(p.id);
  if (stored) stored.version = p.version;
}

function writePoints(fd: number, c: Collection): void {
  let chunk: SnapshotPoint[] = [];
  const flush = () => {
    if (chunk.length > 0) writeSync(fd, `${JSON.stringify({ c: c.name, points: chunk })}\n`);
    chunk = [];
  };
  for (const point of c.points.values()) {
    const dense: Record<string, string> = {};
    for (const [name, store] of c.dense) {
      const row = store.row(point.slot);
      if (row) dense[name] = Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64");
    }
    const sparse: Record<string, { indices: number[]; values: number[] }> = {};
    for (const [name, index] of c.sparse) {
      const v = index.get(point.slot);
      if (v) sparse[name] = { indices: Array.from(v.indices), values: Array.from(v.values) };
    }
    chunk.push({ id: point.id, version: point.version, payload: point.payload, dense, sparse });
    if (chunk.length >= 1000) flush();
  }
  flush();
}

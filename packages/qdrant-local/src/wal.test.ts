import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readCreateCollection } from "./collection-config.js";
import { WriteAheadLog } from "./wal.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "qdrant-local-wal-"));
  dirs.push(d);
  return d;
}

describe("WriteAheadLog", () => {
  it("replays the log after a crash, ignores a torn last line, and round-trips through a snapshot", async () => {
    const dir = tempDir();
    const wal = await WriteAheadLog.open(dir);
    const config = readCreateCollection({
      vectors: { d: { size: 8, distance: "Cosine" } },
      sparse_vectors: { s: { modifier: "idf" } },
    });
    wal.append({ type: "create_collection", collection: "c", config });
    wal.append({
      type: "upsert",
      collection: "c",
      points: [
        {
          id: 1,
          vectors: { d: [1, 2, 3, 4, 5, 6, 7, 8], s: { indices: [3], values: [0.5] } },
          payload: { a: 1 },
        },
        { id: "2b1c3b0e-1111-4222-8333-944445555666", vectors: { d: [0, 0, 0, 0, 0, 0, 0, 1] }, payload: {} },
      ],
    });
    wal.append({ type: "set_payload", collection: "c", ids: [1], payload: { b: 2 }, key: null });
    await wal.sync();
    const before = wal.store.get("c").dense.get("d")?.get(0);
    // What a crash leaves: a log never compacted, with half a record at its end.
    await wal.close({ compact: false });
    appendFileSync(join(dir, "wal.jsonl"), '{"lsn": 99, "op": {"type": "delete_po');

    const reopened = await WriteAheadLog.open(dir);
    const c = reopened.store.get("c");
    expect(c.size).toBe(2);
    expect(c.points.get(1)?.payload).toEqual({ a: 1, b: 2 });
    expect(c.dense.get("d")?.get(c.points.get(1)?.slot as number)).toEqual(before);
    expect(c.sparse.get("s")?.get(c.points.get(1)?.slot as number)?.indices).toEqual(Uint32Array.from([3]));
    expect(c.config.sparse.s?.modifier).toBe("idf");
    // open() compacted: the log is empty and the snapshot holds everything.
    expect(readFileSync(join(dir, "wal.jsonl"), "utf8")).toBe("");
    await reopened.close();
    const third = await WriteAheadLog.open(dir);
    expect(third.store.get("c").points.get("2b1c3b0e-1111-4222-8333-944445555666")?.version).toBe(1);
    expect(third.store.get("c").version).toBe(2);
    await third.close();
  });

  it("refuses a folder another open log holds, and frees it on close", async () => {
    const dir = tempDir();
    const first = await WriteAheadLog.open(dir);
    await expect(WriteAheadLog.open(dir)).rejects.toThrow(/already open/);
    await first.close();
    const second = await WriteAheadLog.open(dir);
    await second.close();
  });

  it("takes over a lock left by a process that is gone", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "lock"), "999999999");
    const wal = await WriteAheadLog.open(dir);
    expect(readFileSync(join(dir, "lock"), "utf8")).toBe(String(process.pid));
    await wal.close();
  });
});

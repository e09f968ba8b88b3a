import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { npyBytes, writeVectorSet } from "../testing/vector-set.js";
import type { RawRecord } from "./raw-record.js";
import { openVectorSetSource, VECTOR_SET_FIELDS, vectorSetShape } from "./vector-set-source.js";

let dir: string;
let set: ReturnType<typeof writeVectorSet>;
const policy = () => ({ dataDirs: [dir], maxRowBytes: 10_000 });
const source = {
  type: "vectors" as const,
  dense: "dense_vectors.npy",
  sparse: "sparse_vectors.json",
  payload: "payload.json",
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-vectors-"));
  set = writeVectorSet(dir, 40, 8);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function drain(records: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

describe("vector sets (dense_vectors.npy + sparse_vectors.json + payload.json)", () => {
  it("zips the three files by position, vectors exactly as stored", async () => {
    expect(await vectorSetShape(source, [dir])).toMatchObject({ rows: 40, cols: 8, dtype: "<f4" });
    const opened = await openVectorSetSource(source, policy());
    expect(opened.rowsTotal).toBe(40);
    const records = await drain(opened.records);
    expect(records).toHaveLength(40);
    expect(records[7]).toEqual({
      line: 7,
      bytes: expect.any(Number),
      value: {
        ...set.payload[7],
        [VECTOR_SET_FIELDS.dense]: set.dense[7],
        [VECTOR_SET_FIELDS.sparse]: set.sparse[7],
      },
    });
    expect(opened.bytes().read).toBe(opened.bytes().total);
  });

  it("fails, naming both files, when they disagree on the number of rows", async () => {
    const short = path.join(dir, "short.json");
    await writeFile(short, JSON.stringify(set.payload.slice(0, 39)));
    const opened = await openVectorSetSource({ ...source, payload: "short.json" }, policy());
    await expect(drain(opened.records)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message:
        "short.json has 39 objects but dense_vectors.npy has 40 rows; the files are zipped by position",
    });
  });

  it("refuses a .npy that is not a float32 matrix, naming the file", async () => {
    await writeFile(path.join(dir, "bad.npy"), Buffer.from("not numpy at all"));
    await expect(vectorSetShape({ ...source, dense: "bad.npy" }, [dir])).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "bad.npy cannot be read as the dense vectors: it is not a .npy file",
    });
    const f64 = npyBytes([[1, 2]], 2);
    f64.write("<f8", f64.indexOf("<f4"), "latin1");
    await writeFile(path.join(dir, "f64.npy"), f64);
    // float64 is accepted (read as numbers); the declared size no longer matches the data, so reading fails.
    const opened = await openVectorSetSource({ ...source, dense: "f64.npy" }, policy());
    await expect(drain(opened.records)).rejects.toMatchObject({ message: /ends after 0 of its 1 rows/ });
  });
});

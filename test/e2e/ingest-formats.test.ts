import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import {
  collectionName,
  countPoints,
  getJob,
  type LocalIngestionStack,
  makeRows,
  startLocalIngestionStack,
  storedRowIds,
  submitJob,
  waitForJob,
} from "./ingestion-support.js";

/** CSV, TSV and Parquet files through the real producer, one embed worker and the local mode, as processes. */
let stack: LocalIngestionStack;

beforeAll(async () => {
  stack = await startLocalIngestionStack("e2e-formats-data-", { workers: 1 });
});

const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;

describe("file formats end to end", () => {
  it("ingests a CSV with quoted commas, quotes and newlines: exact points, the malformed record skipped", async () => {
    const rows = makeRows(50, 12);
    const lines = rows.map((r, i) =>
      [r.id, quote(`${r.title}, "part" ${i}`), quote(`${r.text}\nsecond line`)].join(","),
    );
    lines.splice(20, 0, "broken-row,only two cells");
    writeFileSync(join(stack.dataDir, "corpus.csv"), `id,title,text\n${lines.join("\n")}\n`);
    const collection = collectionName("csv");
    const id = await submitJob(stack.producer, {
      collection,
      source: { type: "file", path: "corpus.csv" },
      text: "{title}. {text}",
      id: "id",
    });
    const job = await waitForJob(stack.producer, id);
    expect(job.state).toBe("completed");
    expect(job.rows).toMatchObject({ read: 51, skipped: 1, upserted: 50, failed: 0, pending: 0 });
    expect(job.skipped.first).toEqual([
      {
        line: 2 + 20 * 2,
        reason: "malformed_csv",
        message: expect.stringMatching(/columns length is 3, got 2/),
      },
    ]);
    expect(await countPoints(stack.qdrantUrl, collection)).toBe(50);
    expect(await storedRowIds(stack.qdrantUrl, collection)).toEqual(rows.map((r) => r.id).sort());
    const view = (await getJob(stack.producer, id)) as unknown as { reader: unknown };
    expect(view.reader).toEqual({ format: "csv", detectedBy: "extension", library: "csv-parse" });
  });

  it("ingests a gzipped TSV told by its content and a Parquet file of several row groups, counts exact", async () => {
    const rows = makeRows(30, 12);
    const tsv = `id\ttitle\ttext\n${rows.map((r) => `${r.id}\t${r.title}\t${r.text}`).join("\n")}\n`;
    writeFileSync(join(stack.dataDir, "dump"), gzipSync(tsv));
    const parquetRows = makeRows(45, 12);
    const parquet = parquetWriteBuffer({
      rowGroupSize: 20,
      columnData: [
        { name: "id", type: "STRING", data: parquetRows.map((r) => r.id) },
        { name: "title", type: "STRING", data: parquetRows.map((r) => r.title) },
        { name: "text", type: "STRING", data: parquetRows.map((r) => r.text) },
        { name: "meta", data: parquetRows.map((_, i) => ({ rank: i, tags: ["a", `t${i}`] })) },
      ],
    });
    writeFileSync(join(stack.dataDir, "corpus.parquet"), Buffer.from(parquet));
    const [tsvCollection, parquetCollection] = [collectionName("tsv"), collectionName("parquet")];
    const [tsvId, parquetId] = await Promise.all([
      submitJob(stack.producer, {
        collection: tsvCollection,
        source: { type: "file", path: "dump" },
        text: ["title", "text"],
        id: "id",
      }),
      submitJob(stack.producer, {
        collection: parquetCollection,
        source: { type: "file", path: "corpus.parquet" },
        text: "{title}. {text}",
        id: "id",
        payload: { include: ["id", "meta"] },
      }),
    ]);
    const [tsvJob, parquetJob] = await Promise.all([
      waitForJob(stack.producer, tsvId),
      waitForJob(stack.producer, parquetId),
    ]);
    expect(tsvJob.rows).toMatchObject({ read: 30, skipped: 0, upserted: 30, failed: 0, pending: 0 });
    expect((tsvJob as unknown as { reader: unknown }).reader).toEqual({
      format: "tsv",
      detectedBy: "content",
      library: "csv-parse",
      compression: "gzip",
      decompressor: "node:zlib",
    });
    expect(await storedRowIds(stack.qdrantUrl, tsvCollection)).toEqual(rows.map((r) => r.id).sort());
    expect(parquetJob.rows).toMatchObject({ read: 45, skipped: 0, upserted: 45, failed: 0, pending: 0 });
    expect(await countPoints(stack.qdrantUrl, parquetCollection)).toBe(45);
    expect(await storedRowIds(stack.qdrantUrl, parquetCollection)).toEqual(
      parquetRows.map((r) => r.id).sort(),
    );
  });
});

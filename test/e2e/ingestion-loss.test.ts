import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  collectionName,
  countPoints,
  type JobView,
  type LocalIngestionStack,
  startLocalIngestionStack,
  storedRowIds,
  submitJob,
  waitForJob,
} from "./ingestion-support.js";

/**
 * Producer + one embed worker + the local mode, as processes: what a job reports about rows that overwrite each
 * other or a source that breaks off is checked against what the collection really holds.
 */
let stack: LocalIngestionStack;

beforeAll(async () => {
  stack = await startLocalIngestionStack("e2e-ingest-loss-", { workers: 1 });
});

function expectCountsAddUp(job: JobView): void {
  expect(job.rows.pending).toBe(0);
  expect(job.rows.read).toBe(job.rows.skipped + job.rows.upserted + job.rows.failed);
}

/** Ingests the file at `path` (fields `id` and `text`, batches of 4) into `collection`; the job as it ended. */
async function ingestFile(path: string, collection: string): Promise<JobView> {
  const id = await submitJob(stack.producer, {
    collection,
    source: { type: "file", path },
    text: "text",
    id: "id",
    batchSize: 4,
  });
  return waitForJob(stack.producer, id);
}

describe("ingestion that must lose nothing silently", () => {
  it("counts rows whose ids land on the same point, and reports the distinct points the collection holds", async () => {
    // `1`, "1" and `1.0` are one id; "a" comes back in a later batch (batches of 4).
    const lines = [
      '{"id":1,"text":"first one"}',
      '{"id":"1","text":"second one"}',
      '{"id":1.0,"text":"third one"}',
      '{"id":"a","text":"first a"}',
      '{"id":"b","text":"bee"}',
      '{"id":"c","text":"sea"}',
      '{"id":"d","text":"dee"}',
      '{"id":"e","text":"ee"}',
      '{"id":"a","text":"second a"}',
      '{"id":"f","text":"ef"}',
    ];
    const path = join(stack.dataDir, "same-ids.jsonl");
    writeFileSync(path, `${lines.join("\n")}\n`);
    const collection = collectionName("collide");
    const job = await ingestFile(path, collection);
    expect(job.state).toBe("completed");
    expect(job.collisions).toEqual({
      count: 3,
      first: [
        { line: 2, earlierLine: 1, rowId: "1" },
        { line: 3, earlierLine: 1, rowId: "1" },
        { line: 9, earlierLine: 4, rowId: "a" },
      ],
    });
    expect(job.rows).toMatchObject({ read: 10, upserted: 10 });
    expectCountsAddUp(job);
    expect(job.points.upserted).toBe(7);
    expect(await countPoints(stack.qdrantUrl, collection)).toBe(7);
    expect(await storedRowIds(stack.qdrantUrl, collection)).toEqual(["1", "a", "b", "c", "d", "e", "f"]);
  });

  it("embeds the elements of a JSON array cut off mid-way and fails with counts that match the collection", async () => {
    const elements = Array.from({ length: 11 }, (_, i) =>
      JSON.stringify({ id: `el-${i}`, text: `element ${i}` }),
    );
    const path = join(stack.dataDir, "cut.json");
    writeFileSync(path, `[${elements.join(",")},{"id":"el-11","text":"elem`);
    const collection = collectionName("cut");
    const job = await ingestFile(path, collection);
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/cut off after 12 elements/);
    expect(job.rows).toMatchObject({ read: 12, skipped: 1, upserted: 11 });
    expectCountsAddUp(job);
    expect(job.points.upserted).toBe(11);
    expect(await countPoints(stack.qdrantUrl, collection)).toBe(11);
  });
});

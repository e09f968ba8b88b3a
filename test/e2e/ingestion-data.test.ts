import { beforeAll, describe, expect, it } from "vitest";
import {
  collectionName,
  countPoints,
  type LocalIngestionStack,
  makeRows,
  rowsFileJob,
  startLocalIngestionStack,
  storedRowIds,
  submitJob,
  waitForJob,
  writeJsonLines,
} from "./ingestion-support.js";

/** Producer + one embed worker + the local mode, as processes: what a file's rows become, counted exactly. */
let stack: LocalIngestionStack;

beforeAll(async () => {
  stack = await startLocalIngestionStack("e2e-ingest-data-", { workers: 1 });
});

describe("ingestion of a file", () => {
  it("gives the same points when the same job is submitted again", async () => {
    const rows = makeRows(120, 12);
    const path = writeJsonLines(stack.dataDir, "resubmit.jsonl", rows);
    const collection = collectionName("resubmit");
    const body = rowsFileJob(collection, path);

    const first = await waitForJob(stack.producer, await submitJob(stack.producer, body));
    expect(first).toMatchObject({
      state: "completed",
      points: { upserted: 120 },
      batches: { queued: 8, done: 8 },
    });
    expect(await countPoints(stack.qdrantUrl, collection)).toBe(120);

    const second = await waitForJob(stack.producer, await submitJob(stack.producer, body));
    expect(second).toMatchObject({ state: "completed", points: { upserted: 120 } });
    expect(await countPoints(stack.qdrantUrl, collection)).toBe(120);
    expect(await storedRowIds(stack.qdrantUrl, collection)).toEqual(rows.map((r) => r.id).sort());
  });

  it("skips 5% bad rows with their reasons and line numbers and ingests exactly the rest", async () => {
    const good = makeRows(190, 12);
    const lines: unknown[] = [...good];
    // 10 bad rows out of 200, spread through the file; line numbers are 1-based.
    const bad: Array<[number, unknown, string]> = [
      [5, '{"id": "bad-1", "title": "unterminated', "malformed_json"],
      [25, { id: "bad-2", title: "no text field" }, "missing_text"],
      [45, { id: "bad-3", title: "t", text: "" }, "empty_text"],
      [65, { id: "bad-4", title: "t", text: 42 }, "non_string_text"],
      [85, "[1, 2, 3]", "not_an_object"],
      [105, '{"id": "bad-6", "title": "x", "text": "y"', "malformed_json"],
      [125, { id: "bad-7", title: "t", text: ["a", "b"] }, "non_string_text"],
      [145, { id: "bad-8", title: "only title" }, "missing_text"],
      [165, { id: "bad-9", title: "t", text: "   " }, "empty_text"],
      [185, "not json at all", "malformed_json"],
    ];
    for (const [line, row] of bad) lines.splice(line - 1, 0, row);
    const path = writeJsonLines(stack.dataDir, "bad-rows.jsonl", lines);
    const collection = collectionName("badrows");
    const body = { collection, source: { type: "file", path }, text: "text", id: "id", batchSize: 32 };

    const job = await waitForJob(stack.producer, await submitJob(stack.producer, body));
    expect(job.state).toBe("completed");
    expect(job.rows.skipped).toBe(10);
    expect(job.rows.read).toBe(200);
    expect(job.points.upserted).toBe(190);
    expect(job.skipped.byReason).toEqual({
      malformed_json: 3,
      missing_text: 2,
      empty_text: 2,
      non_string_text: 2,
      not_an_object: 1,
    });
    expect(job.skipped.first.map((s) => [s.line, s.reason])).toEqual(
      bad.map(([line, , reason]) => [line, reason]),
    );
    expect(await countPoints(stack.qdrantUrl, collection)).toBe(190);
    expect(await storedRowIds(stack.qdrantUrl, collection)).toEqual(good.map((r) => r.id).sort());
  });
});

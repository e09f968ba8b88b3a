import { describe, expect, it } from "vitest";
import { batchJobId, finalizeJobId, ingestChildOf, parseBatchJobId, readJobId } from "./job-ids.js";

describe("job ids", () => {
  it("round-trips batch ids and never makes an id BullMQ refuses", () => {
    const id = "ing-m0x1-abcd";
    for (const jobId of [batchJobId(id, 0), batchJobId(id, 41), readJobId(id), finalizeJobId(id)]) {
      expect(jobId).not.toContain(":");
      expect(jobId).not.toMatch(/^\d+$/);
    }
    expect(parseBatchJobId(batchJobId(id, 41))).toEqual({ ingestionId: id, batchIndex: 41 });
    expect(parseBatchJobId(readJobId(id))).toBeUndefined();
  });

  it("tells a finalize job's children apart by their keys, under a prefix that may hold a hash tag", () => {
    const prefix = "{hybrid}";
    const id = "ing-m0x1-abcd";
    expect(ingestChildOf(`${prefix}:embed:${batchJobId(id, 7)}`, prefix)).toEqual({
      kind: "batch",
      ingestionId: id,
      batchIndex: 7,
      jobId: `${id}-b7`,
    });
    expect(ingestChildOf(`${prefix}:ingest:${readJobId(id)}`, prefix)).toEqual({
      kind: "read",
      ingestionId: id,
      pass: 1,
      jobId: `${id}-read`,
    });
    expect(ingestChildOf(`${prefix}:ingest:${readJobId(id, 2)}`, prefix)).toEqual({
      kind: "read",
      ingestionId: id,
      pass: 2,
      jobId: `${id}-read-2`,
    });
    expect(ingestChildOf(`other:embed:${batchJobId(id, 7)}`, prefix)).toBeUndefined();
    expect(ingestChildOf(`${prefix}:ingest:${finalizeJobId(id)}`, prefix)).toBeUndefined();
    expect(ingestChildOf(`${prefix}:embed:not-a-batch`, prefix)).toBeUndefined();
  });
});

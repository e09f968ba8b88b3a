import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HfServer, startHfServer } from "../testing/hf-server.js";
import { drain } from "../testing/records.js";
import { openHfParquetSource } from "./hf-parquet-source.js";
import { openHfSource } from "./hf-source.js";

let hf: HfServer;
beforeAll(async () => {
  // 250 rows in two Parquet files (150 + 100 rows), row groups of 40.
  hf = await startHfServer({ total: 250, parquetFiles: [150, 100] });
});
afterAll(() => hf.close());
const policy = () => ({ baseUrl: hf.url, maxRowBytes: 10_000, retryDelayMs: 5 });

describe("Hugging Face splits from their Parquet files", () => {
  it("reads the same rows with the same row indices (so the same ids) as the rows API", async () => {
    const source = { dataset: "test/docs", split: "corpus" };
    const parquet = await openHfParquetSource(source, policy());
    expect(parquet.key).toBe("hf:test/docs/corpus:corpus");
    expect(parquet.rowsTotal).toBe(250);
    expect(parquet.reader).toMatchObject({ format: "parquet", library: expect.stringMatching(/hyparquet/) });
    const viaRows = await drain(await openHfSource(source, policy()));
    const viaParquet = await drain(parquet);
    expect(viaParquet.map((r) => [r.line, "value" in r ? r.value : r.skip])).toEqual(
      viaRows.map((r) => [r.line, "value" in r ? r.value : r.skip]),
    );
  });

  it("reads a slice across both files, with only the columns asked", async () => {
    const sliced = await openHfParquetSource(
      { dataset: "test/docs", config: "corpus", split: "corpus[140:165]" },
      policy(),
      undefined,
      ["_id"],
    );
    expect(sliced.rowsTotal).toBe(25);
    const records = await drain(sliced);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 25 }, (_, i) => 140 + i));
    expect(records[0]).toMatchObject({ value: { _id: "doc140" } });
    expect(Object.keys((records[0] as { value: object }).value)).toEqual(["_id"]);
  });

  it("numbers row groups across the files of a slice, and starts at the one a position names", async () => {
    const source = { dataset: "test/docs", config: "corpus", split: "corpus[140:165]" };
    const whole = await openHfParquetSource(source, policy(), undefined, ["_id"]);
    const positions: Array<{ rowGroup: number; row: number }> = [];
    for await (const segment of whole.segments ?? []) positions.push(segment.position);
    // Rows 140-149 from the first file's last row group, 150-164 from the second file's first.
    expect(positions).toEqual([
      { rowGroup: 0, row: 0 },
      { rowGroup: 1, row: 10 },
    ]);
    const resumed = await openHfParquetSource(source, policy(), undefined, ["_id"], { rowGroup: 1, row: 10 });
    expect(resumed.resumedFrom).toEqual({ rowGroup: 1, row: 10 });
    expect((await drain(resumed)).map((r) => r.line)).toEqual(Array.from({ length: 15 }, (_, i) => 150 + i));
  });

  it("names a split with no Parquet export", async () => {
    await expect(
      openHfParquetSource(
        { dataset: "test/docs", config: "corpus", split: "corpus" },
        {
          ...policy(),
          baseUrl: (await startEmpty()).url,
        },
      ),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

/** A datasets-server whose `/parquet` lists nothing (the split was never exported). */
async function startEmpty(): Promise<HfServer> {
  const empty = await startHfServer({ total: 10 });
  afterAll(() => empty.close());
  return empty;
}

import type { RowMapper } from "../../rows/map-row.js";
import type { ChunkItem, SourceItem } from "./read-items.js";
import type { ReadTally } from "./read-tally.js";

/**
 * Rows and chunks stage: maps each record to the texts to embed (one per row, several for a chunked row), each
 * weighing its record's bytes (the payload, stored once per chunk) plus its text; a record that cannot be used is
 * counted as skipped with its line and reason. A checkpoint leaves with the counts up to it.
 */
export async function* mapRows(
  items: AsyncIterable<SourceItem>,
  mapRow: RowMapper,
  tally: ReadTally,
): AsyncGenerator<ChunkItem> {
  for await (const item of items) {
    if ("checkpoint" in item) {
      yield { checkpoint: item.checkpoint, rows: tally.rowCounts() };
      continue;
    }
    const { record } = item;
    tally.row();
    const mapped = mapRow(record);
    if ("skip" in mapped) {
      tally.skip({ line: record.line, reason: mapped.skip, message: mapped.message });
      continue;
    }
    for (const row of mapped.rows) {
      tally.chunk();
      yield { row, bytes: record.bytes + Buffer.byteLength(row.text) };
    }
  }
}

import { type BatchRow, countRows, type RedisClient, recordBatchPoints } from "@hybrid/queue";
import { pointId } from "@hybrid/store";

/** A row that landed on the point of an earlier row of the same ingestion (Qdrant keeps the last write). */
export interface Collision {
  line: number;
  earlierLine: number;
  rowId: string;
}

/**
 * Records, before a batch is queued, the points its rows will write (the same ids the worker computes) and the
 * batch's rows and new distinct points, so progress counts distinct points. Answers the batch's rows that land
 * on an earlier row's point, once per row (a chunked row collides on several points).
 */
export async function recordPointsOf(
  deps: { redis: RedisClient; prefix: string },
  batch: { ingestionId: string; collection: string; batchIndex: number; rows: BatchRow[] },
): Promise<Collision[]> {
  const points = batch.rows.map((row) => ({
    pointId: pointId(batch.collection, row.rowId, row.chunk),
    line: row.line,
  }));
  const rows = countRows(batch.rows);
  const earlier = await recordBatchPoints(
    deps.redis,
    deps.prefix,
    { ingestionId: batch.ingestionId, batchIndex: batch.batchIndex, rows },
    points,
  );
  const collisions: Collision[] = [];
  for (const [i, row] of batch.rows.entries()) {
    const earlierLine = earlier[i];
    if (earlierLine === undefined || collisions.at(-1)?.line === row.line) continue;
    collisions.push({ line: row.line, earlierLine, rowId: row.rowId });
  }
  return collisions;
}

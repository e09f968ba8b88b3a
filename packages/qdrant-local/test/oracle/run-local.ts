import type { QdrantClient } from "@qdrant/js-client-rest";
import type { PointIdJson, SparseJson, StepOutcome, Update, Workload } from "./workload.js";

type QueryBody = Parameters<QdrantClient["query"]>[1];
type PointsBody = Extract<Parameters<QdrantClient["upsert"]>[1], { points: unknown }>["points"];

async function applyUpdate(client: QdrantClient, name: string, update: Update): Promise<void> {
  switch (update.op) {
    case "upsert":
      await client.upsert(name, { wait: true, points: update.points as PointsBody });
      return;
    case "delete":
      await client.delete(name, { wait: true, points: update.points });
      return;
    case "delete_by_filter":
      await client.delete(name, { wait: true, filter: update.filter });
      return;
    case "set_payload":
      await client.setPayload(name, {
        wait: true,
        points: update.points,
        payload: update.payload,
        ...(update.key ? { key: update.key } : {}),
      });
      return;
    case "overwrite_payload":
      await client.overwritePayload(name, { wait: true, points: update.points, payload: update.payload });
      return;
    case "delete_payload":
      await client.deletePayload(name, { wait: true, points: update.points, keys: update.keys });
      return;
  }
}

function describe(error: unknown): string {
  const data = (error as { data?: { status?: { error?: string } } }).data;
  return data?.status?.error ?? String(error);
}

/** Runs a workload against a Qdrant-compatible server through the official client; per step, like runOnEdge. */
export async function runOnLocal(client: QdrantClient, workload: Workload): Promise<StepOutcome[]> {
  const name = `oracle_${workload.id}`;
  await client.createCollection(name, workload.collection);
  const out: StepOutcome[] = [];
  try {
    for (const step of workload.steps) {
      if ("retrieve" in step) {
        const records = await client.retrieve(name, {
          ids: step.retrieve,
          with_payload: true,
          with_vector: true,
        });
        out.push({
          records: records.map((p) => ({
            id: p.id as PointIdJson,
            payload: p.payload ?? {},
            vector: (p.vector ?? {}) as Record<string, number[] | SparseJson>,
          })),
        });
        continue;
      }
      if ("update" in step) {
        await applyUpdate(client, name, step.update);
        out.push(null);
        continue;
      }
      try {
        const { points } = await client.query(name, step.query as QueryBody);
        out.push({ points: points.map((p) => [p.id, p.score] as [number | string, number]) });
      } catch (error) {
        out.push({ error: describe(error) });
      }
    }
  } finally {
    await client.deleteCollection(name);
  }
  return out;
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startChildServer } from "./child-server.js";

// Real processes, real SIGKILLs: every write acknowledged with wait=true must be there after a restart.

const dir = mkdtempSync(join(tmpdir(), "qdrant-local-durability-"));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function call(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads a few known fields of Qdrant's answers
  return { status: response.status, body: (await response.json()) as { result: any } };
}

const vectorOf = (id: number) => [Math.sin(id), Math.cos(id), (id % 7) / 7, 1];

describe("durability with --storage", () => {
  it("keeps every acknowledged write across SIGKILLs in the middle of a write loop", async () => {
    /** The state every acknowledged write implies: id -> payload value, or undefined once deleted. */
    const model = new Map<number, number | undefined>();
    /** Ids whose last write was sent but not acknowledged when the process died: either outcome is allowed. */
    let uncertain = new Set<number>();
    let nextId = 1;
    let checked = 0;
    for (let round = 0; round < 3; round++) {
      const server = await startChildServer(["--storage", dir]);
      if (round === 0) {
        const created = await call(server.url, "PUT", "/collections/d", {
          vectors: { dense: { size: 4, distance: "Cosine" } },
          sparse_vectors: { s: { modifier: "idf" } },
        });
        expect(created.status).toBe(200);
      }
      const all = await call(server.url, "POST", "/collections/d/points/scroll", {
        limit: 100_000,
        with_payload: true,
      });
      const actual = new Map<number, number>(
        all.body.result.points.map((p: { id: number; payload: { v: number } }) => [p.id, p.payload.v]),
      );
      for (const [id, value] of model) {
        if (uncertain.has(id)) continue;
        expect(actual.get(id), `point ${id}`).toBe(value);
        checked++;
      }
      for (const id of actual.keys())
        if (!model.has(id)) expect(uncertain.has(id), `unexpected point ${id}`).toBe(true);
      for (const id of uncertain) model.set(id, actual.get(id));
      uncertain = new Set();
      const count = await call(server.url, "POST", "/collections/d/points/count", { exact: true });
      expect(count.body.result.count).toBe(actual.size);

      // A loop of writes, killed at a random moment while requests are in flight.
      // Kill at a random moment after the first acknowledged batch of the round, so every round tests something.
      const killAfterMs = Math.floor(Math.random() * 250);
      let killed = false;
      let ackedThisRound = 0;
      const writer = (async () => {
        while (!killed) {
          const ids = Array.from({ length: 64 }, () => nextId++);
          const [victim, bump] = ids as [number, number];
          try {
            for (const id of ids) uncertain.add(id);
            const r = await call(server.url, "PUT", "/collections/d/points?wait=true", {
              points: ids.map((id) => ({
                id,
                vector: { dense: vectorOf(id), s: { indices: [id % 13, 100 + (id % 5)], values: [1, 0.5] } },
                payload: { v: id * 2 },
              })),
            });
            if (r.status !== 200) throw new Error(JSON.stringify(r.body));
            for (const id of ids) {
              model.set(id, id * 2);
              ackedThisRound++;
              uncertain.delete(id);
            }
            uncertain.add(victim);
            await call(server.url, "POST", "/collections/d/points/delete?wait=true", { points: [victim] });
            model.set(victim, undefined);
            uncertain.delete(victim);
            uncertain.add(bump);
            await call(server.url, "POST", "/collections/d/points/payload?wait=true", {
              points: [bump],
              payload: { v: -1 },
            });
            model.set(bump, -1);
            uncertain.delete(bump);
          } catch (error) {
            if (!killed) throw error;
          }
        }
      })();
      let writerDone = false;
      void writer.finally(() => {
        writerDone = true;
      });
      while (ackedThisRound === 0 && !writerDone) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      killed = true;
      server.child.kill("SIGKILL");
      expect(await server.exited).toBe("SIGKILL");
      await writer;
    }
    // Rounds 2 and 3 each checked at least one acknowledged batch of the round before.
    expect(checked).toBeGreaterThanOrEqual(2 * 60);
    const expectedCount = () => [...model.values()].filter((v) => v !== undefined).length;

    // A clean SIGTERM stop compacts into a snapshot; the next start reads it back, queries still work.
    const server = await startChildServer(["--storage", dir]);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const again = await startChildServer(["--storage", dir]);
    try {
      const count = await call(again.url, "POST", "/collections/d/points/count", { exact: true });
      expect(count.body.result.count).toBeGreaterThanOrEqual(expectedCount() - uncertain.size);
      expect(count.body.result.count).toBeLessThanOrEqual(expectedCount() + uncertain.size);
      const info = await call(again.url, "GET", "/collections/d");
      expect(info.body.result.config.params.sparse_vectors).toEqual({ s: { modifier: "idf" } });
      const q = await call(again.url, "POST", "/collections/d/points/query", {
        prefetch: [
          { query: vectorOf(5), using: "dense" },
          { query: { indices: [5], values: [1] }, using: "s" },
        ],
        query: { fusion: "rrf" },
        limit: 3,
      });
      expect(q.body.result.points).toHaveLength(3);
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }
  }, 120_000);
});

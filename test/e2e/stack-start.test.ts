import { randomUUID } from "node:crypto";
import { readDemoPlaces, repoRoot, runDemo, spawnManaged, startStack } from "@hybrid/stack";
import { describe, expect, it } from "vitest";
import {
  alivePids,
  descendantPids,
  freePort,
  isListening,
  makeTempDir,
  track,
} from "../src/harness/index.js";
import { countPoints, FAST_RECOVERY, type JobView, makeRows } from "./ingestion-support.js";

const machineRedis = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * `pnpm start` as a tracked child on the machine's Redis, with its own local mode and every port left to the OS;
 * `env` adds to that. Resolves once the stack is ready and has printed its summary.
 */
async function startPnpmStart(label: string, env: Record<string, string>) {
  const runner = spawnManaged({
    name: "pnpm-start",
    command: "pnpm",
    args: ["start"],
    cwd: repoRoot,
    env: {
      ...process.env,
      REDIS_URL: machineRedis,
      QDRANT_URL: undefined,
      QUERY_PORT: "0",
      PRODUCER_PORT: "0",
      QDRANT_PORT: "0",
      NO_COLOR: "1",
      STOP_TIMEOUT_S: "6",
      ...env,
    },
  });
  track({ label, cleanup: async () => void (await runner.kill()), logs: () => runner.logs() });
  await runner.waitForLine(/\[stack\] ready/, 180_000);
  // The summary is printed as one block right after the ready line.
  await runner.waitForLine(/pid \d+ {2}query-api/, 5000);
  return runner;
}

describe("pnpm start", () => {
  it("brings the stack up (machine Redis, local mode), and Ctrl-C stops it with no orphan and no port left open", async () => {
    const runner = await startPnpmStart("pnpm start", {
      WORKERS: "2",
      STACK_DATA_DIR: makeTempDir("e2e-stack-"),
      QUEUE_PREFIX: `e2e-stack-${randomUUID().slice(0, 8)}`,
    });
    const logs = runner.logs();
    const url = (label: string) =>
      new RegExp(`^\\[pnpm-start\\] +${label} +(http\\S+)`, "m").exec(logs)?.[1] ?? "";
    const queryUrl = url("query API");
    const producerUrl = url("ingest producer");
    const qdrantUrl = url("qdrant");
    const workerUrls = (/^\[pnpm-start\] +embed workers +(.+)$/m.exec(logs)?.[1] ?? "").trim().split(/\s+/);
    expect(logs).toContain(`  redis            ${machineRedis}   (external)`);
    expect(logs).toMatch(/\(local-mode\)/);
    expect(workerUrls).toHaveLength(2);

    // Every part answers.
    for (const target of [queryUrl, producerUrl, ...workerUrls]) {
      expect((await fetch(`${target}/readyz`)).status, `${target}/readyz`).toBe(200);
    }
    expect((await fetch(qdrantUrl)).status).toBe(200);
    // The query API's ingestion page reaches this producer through it (PRODUCER_URL set by the runner).
    const jobs = await fetch(`${queryUrl}/ingest/v1/jobs`);
    expect(jobs.status).toBe(200);
    expect(await jobs.json()).toHaveProperty("jobs");
    const childPids = [...logs.matchAll(/^\[pnpm-start\] +pid (\d+) {2}\S+$/gm)].map((m) => Number(m[1]));
    expect(childPids).toHaveLength(5); // local mode, producer, 2 workers, query API
    const tree = descendantPids(runner.pid);
    expect(tree).toEqual(expect.arrayContaining(childPids));

    // Ctrl-C: SIGINT to the foreground process group (pnpm, its shell, the runner; the children run in groups of their own).
    runner.signal("SIGINT");
    await expect.poll(() => alivePids([runner.pid, ...tree]), { timeout: 45_000, interval: 250 }).toEqual([]);
    const ports = [queryUrl, producerUrl, qdrantUrl, ...workerUrls].map((u) => Number(new URL(u).port));
    for (const port of ports) expect(await isListening(port), `port ${port} closed`).toBe(false);
    expect(runner.logs()).toMatch(/\[stack\] stopped/);
  });
});

describe("pnpm start supervises its children", () => {
  it("restarts a SIGKILLed worker, query API and local mode while the rest serves; a job across the crash completes; a crash loop stops it all", async () => {
    const collection = `e2e_supervise_${randomUUID().slice(0, 8)}`;
    const runner = await startPnpmStart("pnpm start (supervised)", {
      WORKERS: "1",
      STACK_DATA_DIR: makeTempDir("e2e-stack-sup-"),
      QUEUE_PREFIX: `e2e-sup-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: "warn",
      // A second crash of the same child within the window is one too many; restarts come quickly.
      RESTART_MAX_CRASHES: "1",
      RESTART_BACKOFF_MS: "200",
      ...FAST_RECOVERY,
    });
    const logs = runner.logs();
    const url = (label: string) =>
      new RegExp(`^\\[pnpm-start\\] +${label} +(http\\S+)`, "m").exec(logs)?.[1] ?? "";
    const pidOf = (name: string) =>
      Number(new RegExp(`^\\[pnpm-start\\] +pid (\\d+) {2}${name}$`, "m").exec(logs)?.[1]);
    const producerUrl = url("ingest producer");
    const queryUrl = url("query API");
    const qdrantUrl = url("qdrant");
    const [workerUrl = ""] = (/^\[pnpm-start\] +embed workers +(.+)$/m.exec(logs)?.[1] ?? "")
      .trim()
      .split(/\s+/);
    const [producerPid, workerPid, queryPid, qdrantPid] = [
      pidOf("ingest-producer"),
      pidOf("embed-worker-1"),
      pidOf("query-api"),
      pidOf("qdrant-local"),
    ];

    // A job in flight when its only worker is SIGKILLed.
    const rows = makeRows(96, 60);
    const submitted = await fetch(`${producerUrl}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        collection,
        source: { type: "rows", rows },
        text: "{title}. {text}",
        id: "id",
        batchSize: 8,
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const job = async () => (await (await fetch(`${producerUrl}/v1/jobs/${id}`)).json()) as JobView;
    await expect
      .poll(async () => (await job()).batches.done, { timeout: 60_000, interval: 100 })
      .toBeGreaterThan(0);
    process.kill(workerPid, "SIGKILL");
    process.kill(queryPid, "SIGKILL");

    const restartedPid = async (name: string) =>
      Number(
        /restarted \(pid (\d+)\)/.exec(
          await runner.waitForLine(new RegExp(`\\] ${name} restarted`), 30_000),
        )?.[1],
      );
    await runner.waitForLine(
      /\[stack\] embed-worker-1 exited unexpectedly \(signal SIGKILL\); restarting in 200 ms/,
      10_000,
    );
    const newWorkerPid = await restartedPid("embed-worker-1");
    const newQueryPid = await restartedPid("query-api");
    expect(newWorkerPid).not.toBe(workerPid);
    expect(newQueryPid).not.toBe(queryPid);
    await runner.waitForLine(/\[stack\] query-api ready again/, 120_000);
    await runner.waitForLine(/\[stack\] embed-worker-1 ready again/, 120_000);
    expect((await fetch(`${workerUrl}/readyz`)).status).toBe(200);

    // The job completes on its own (the killed worker's batch is retaken by the restarted one), with every point.
    await expect.poll(async () => (await job()).state, { timeout: 120_000, interval: 250 }).toBe("completed");
    expect((await job()).points.upserted).toBe(rows.length);
    expect(await countPoints(qdrantUrl, collection)).toBe(rows.length);
    const search = async () => {
      const response = await fetch(`${queryUrl}/v1/search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "vitamin D cohort study", collection, limit: 3 }),
      });
      return response.ok ? ((await response.json()) as { hits: unknown[] }).hits.length : response.status;
    };
    expect(await search()).toBe(3);

    // The local mode too comes back, on its port with its data, and the restarted query API searches it again.
    process.kill(qdrantPid, "SIGKILL");
    await restartedPid("qdrant-local");
    await expect.poll(search, { timeout: 30_000, interval: 250 }).toBe(3);
    // The rest kept serving: the producer was never restarted.
    expect(alivePids([producerPid])).toEqual([producerPid]);
    expect(runner.logs()).not.toMatch(/ingest-producer (exited|restarted)/);

    // The query API crashes again within the window: one crash too many, so the whole stack stops and exits non-zero.
    const tree = [runner.pid, ...descendantPids(runner.pid)];
    process.kill(newQueryPid, "SIGKILL");
    const exit = await runner.exited;
    expect(exit.code).not.toBe(0);
    expect(runner.logs()).toMatch(
      /\[stack\] query-api crashed 2 times within 60 s \(last: signal SIGKILL\): giving up on it/,
    );
    expect(runner.logs()).toMatch(/\[stack\] query-api keeps crashing: stopping/);
    await expect.poll(() => alivePids(tree), { timeout: 45_000, interval: 250 }).toEqual([]);
  });
});

describe("startStack", () => {
  it("starts its own Redis when REDIS_URL does not answer, runs the demo through it, and stop() leaves nothing", async () => {
    const dataDir = makeTempDir("e2e-stack-api-");
    const lines: string[] = [];
    const stack = await startStack({
      workers: 1,
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      dataDir,
      ports: { query: 0, producer: 0, qdrant: 0 },
      env: { QUEUE_PREFIX: `e2e-api-${randomUUID().slice(0, 8)}`, LOG_LEVEL: "warn" },
      onLine: (line) => lines.push(line),
      color: false,
      stopTimeoutMs: 6000,
    });
    track({ label: "startStack", cleanup: () => stack.stop(), logs: () => lines.join("\n") });
    expect(stack.redisSource).toBe("redis-server");
    expect(stack.qdrantSource).toBe("local-mode");
    expect(stack.missing).toEqual([]);
    expect(stack.children.map((c) => c.name).sort()).toEqual([
      "embed-worker-1",
      "ingest-producer",
      "qdrant-local",
      "query-api",
      "redis",
    ]);
    for (const target of [stack.producerUrl, stack.queryUrl, ...stack.workerUrls]) {
      expect((await fetch(`${target}/readyz`)).status).toBe(200);
    }

    // The main job: the demo dataset in through the producer, searches out through the query API.
    const collection = `demo_e2e_${randomUUID().slice(0, 8)}`;
    const demo = await runDemo({
      producerUrl: stack.producerUrl,
      queryUrl: stack.queryUrl,
      collection,
      log: () => {},
    });
    const places = readDemoPlaces();
    const info = (await (await fetch(`${stack.qdrantUrl}/collections/${collection}`)).json()) as {
      result: { points_count: number };
    };
    expect(info.result.points_count).toBe(places.length);
    const byQuery = new Map(demo.searches.map((s) => [s.query, s]));
    expect(byQuery.get("vegetarian restaurant")?.hits[0]?.name).toBe("Grünkern Kantine");
    const rainy = byQuery.get("where can kids play on a rainy day")?.hits ?? [];
    expect(rainy.length).toBeGreaterThan(0);
    expect(rainy.every((h) => h.city === "Lisbon")).toBe(true);
    for (const search of demo.searches) expect(search.hits.length, search.query).toBe(3);

    const pids = stack.children.map((c) => c.pid);
    const tree = pids.flatMap((pid) => [pid, ...descendantPids(pid)]);
    await stack.stop();
    expect(alivePids(tree)).toEqual([]);
    for (const target of [stack.producerUrl, stack.queryUrl, stack.qdrantUrl, stack.redisUrl]) {
      expect(await isListening(Number(new URL(target).port)), target).toBe(false);
    }
  });
});

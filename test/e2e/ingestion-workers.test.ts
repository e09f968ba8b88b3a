import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  countPoints,
  getJob,
  type LocalIngestionStack,
  logLines,
  startLocalIngestionStack,
  storedRowIds,
  submitRows,
  waitForJob,
} from "./ingestion-support.js";

/**
 * Several embed worker processes on one job: sharing it, one SIGKILLed mid-batch, one stopped with SIGTERM mid-batch.
 * The producer and the local mode live for the file; each test starts its own workers.
 */
let stack: LocalIngestionStack;

beforeAll(async () => {
  stack = await startLocalIngestionStack("e2e-ingest-workers-", { workers: 0 });
});

const jobIdsOf = (lines: Array<Record<string, unknown>>) => lines.map((l) => String(l.jobId));

describe("embed workers on one job", () => {
  it("two worker processes share one job", async () => {
    const workers = await Promise.all([stack.addWorker("share-1"), stack.addWorker("share-2")]);
    const job = await submitRows(stack, stack.dataDir, "share", { rows: 320, words: 30 });
    const done = await waitForJob(stack.producer, job.id);
    expect(done).toMatchObject({ state: "completed", batches: { queued: 20, done: 20, failed: 0 } });
    expect(done.points.upserted).toBe(320);
    const [first, second] = workers.map((w) => jobIdsOf(logLines(w, "batch done")));
    expect(first?.length).toBeGreaterThan(0);
    expect(second?.length).toBeGreaterThan(0);
    // At-least-once: a batch may run twice (a lock lost under load), but every one of the 20 ran.
    expect(new Set([...(first ?? []), ...(second ?? [])]).size).toBe(20);
    expect(await countPoints(stack.qdrantUrl, job.collection)).toBe(320);
  });

  it("completes with exactly the expected points when a worker is SIGKILLed mid-batch", async () => {
    const [victim, survivor] = await Promise.all([
      stack.addWorker("kill-victim"),
      stack.addWorker("kill-survivor"),
    ]);
    const job = await submitRows(stack, stack.dataDir, "sigkill", { rows: 240, words: 60 });
    await victim.process.waitForLine(/"msg":"batch started"/, 60_000);
    await victim.kill();
    const started = jobIdsOf(logLines(victim, "batch started"));
    const finished = new Set(jobIdsOf(logLines(victim, "batch done")));
    const cutOff = started.filter((id) => !finished.has(id));
    expect(cutOff).toHaveLength(1);

    const done = await waitForJob(stack.producer, job.id);
    expect(done).toMatchObject({ state: "completed", batches: { queued: 15, done: 15, failed: 0 } });
    expect(done.points.upserted).toBe(240);
    // The batch the victim was embedding when it died was taken over once its lock expired.
    expect(jobIdsOf(logLines(survivor, "batch done"))).toContain(cutOff[0]);
    expect(await countPoints(stack.qdrantUrl, job.collection)).toBe(240);
    expect(await storedRowIds(stack.qdrantUrl, job.collection)).toEqual(job.rowIds);
  });

  it("on SIGTERM a worker finishes its current batch, then exits 0", async () => {
    const [leaving] = await Promise.all([stack.addWorker("term-leaving"), stack.addWorker("term-staying")]);
    const job = await submitRows(stack, stack.dataDir, "sigterm", { rows: 160, words: 60 });
    const line = await leaving.process.waitForLine(/"msg":"batch started"/, 60_000);
    const current = String((JSON.parse(line.slice(line.indexOf("{"))) as { jobId: unknown }).jobId);
    // To the worker's process only, as `docker stop` does (PID 1), not to its process group.
    process.kill(leaving.pid, "SIGTERM");
    expect(await leaving.exited).toEqual({ code: 0, signal: null });
    expect(jobIdsOf(logLines(leaving, "batch done"))).toContain(current);
    expect(logLines(leaving, "stopped")).toHaveLength(1);

    const done = await waitForJob(stack.producer, job.id);
    expect(done).toMatchObject({ state: "completed", batches: { queued: 10, done: 10, failed: 0 } });
    expect(await countPoints(stack.qdrantUrl, job.collection)).toBe(160);
    expect((await getJob(stack.producer, job.id)).points.upserted).toBe(160);
  });
});

/** Child pids of `pid` (a worker's ONNX runner is its only child process). */
function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

/** CPU ticks (user + system) a process has used, from /proc/<pid>/stat. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Resolves once an idle process starts using CPU (an ONNX runner does only while it runs a request). */
async function waitUntilBusy(pid: number, timeoutMs = 30_000): Promise<void> {
  const idle = cpuTicks(pid);
  const deadline = Date.now() + timeoutMs;
  while (cpuTicks(pid) === idle) {
    if (Date.now() > deadline) throw new Error(`process ${pid} stayed idle for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("a worker whose ONNX runner dies", () => {
  it("fails that batch for a retry, finds its encoder working again, and the job completes", async () => {
    const [hit, other] = await Promise.all([stack.addWorker("onnx-hit"), stack.addWorker("onnx-other")]);
    const job = await submitRows(stack, stack.dataDir, "onnxkill", { rows: 160, words: 60 });
    const line = await hit.process.waitForLine(/"msg":"batch started"/, 60_000);
    const cutOff = String((JSON.parse(line.slice(line.indexOf("{"))) as { jobId: unknown }).jobId);
    const runners = childPids(hit.pid);
    expect(runners).toHaveLength(1);
    // Kill it while it runs the batch: a runner killed between requests (the batch still tokenizing) is replaced
    // before the next request and no batch fails, which is not the case under test.
    await waitUntilBusy(runners[0] as number);
    process.kill(runners[0] as number, "SIGKILL");

    const done = await waitForJob(stack.producer, job.id);
    expect(done).toMatchObject({ state: "completed", batches: { queued: 10, done: 10, failed: 0 } });
    expect(await countPoints(stack.qdrantUrl, job.collection)).toBe(160);
    // The probe after the failure passed (the embeddings package starts a new runner), so the worker stayed.
    expect(logLines(hit, "a batch failed in the encoder, but the encoder still works")).toHaveLength(1);
    expect(hit.process.hasExited()).toBe(false);
    const finished = [...logLines(hit, "batch done"), ...logLines(other, "batch done")].map((l) => l.jobId);
    expect(finished).toContain(cutOff);
  });
});

import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createTestHarness, REDIS_URL, type TestHarness, waitFor } from "../testing/test-deps.js";
import { getIngestion, submitIngestion } from "./ingestions.js";

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let harness: TestHarness | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await harness?.close();
  harness = undefined;
});

/** Starts the real producer (`src/main.ts`) as a child process on the harness's queue prefix. */
function startProducer(prefix: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: packageRoot,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      QDRANT_URL: "http://127.0.0.1:9",
      DENSE_MODEL: "sentence-transformers/all-MiniLM-L6-v2",
      MAX_PENDING_BATCHES: "5",
      INGEST_LOCK_MS: "1500",
      LOG_LEVEL: "error",
    },
  });
  children.push(child);
  return child;
}

describe("producer crash (real producer processes, SIGKILL; a test worker stands in for embed-worker)", () => {
  it("another producer resumes the read job and no batch is queued or processed twice", async () => {
    const h = createTestHarness({ limits: { batchSize: 1 } });
    harness = h;
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, body: `row ${i}` }));
    const queued = await submitIngestion(h.deps, {
      collection: "c",
      source: { type: "rows", rows },
      text: "body",
      id: "id",
    });

    const first = startProducer(h.prefix);
    const embed = h.deps.embedQueue;
    await waitFor(async () => ((await embed.count()) === 5 ? true : undefined), 20_000);
    // The second producer starts while the first holds the read job's lock, then the first dies mid-read.
    startProducer(h.prefix);
    await new Promise((resolve) => setTimeout(resolve, 500));
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    const seen: number[] = [];
    h.startEmbedStandIn({ seen });
    const view = await waitFor(async () => {
      const v = await getIngestion(h.deps, queued.id);
      return v.state === "completed" ? v : undefined;
    }, 30_000);
    expect(view.rows.read).toBe(20);
    expect(view.batches).toMatchObject({ queued: 20, done: 20, failed: 0 });
    expect(view.points.upserted).toBe(20);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  }, 60_000);
});

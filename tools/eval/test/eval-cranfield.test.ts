import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScript, type ScriptResult } from "@hybrid/stack";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS } from "../src/metrics.js";
import { repoRoot } from "../src/paths.js";
import type { EvalReport } from "../src/report.js";

/**
 * The whole `pnpm eval` command as a child process, on Cranfield (1,400 documents, 225 queries), with the stack it
 * starts itself (Redis at REDIS_URL or its own, the Qdrant local mode, producer, embed workers, query API) and the
 * offline dense model. Slow by nature: one run, shared by the assertions below.
 */
describe("pnpm eval on Cranfield, whole command", () => {
  let out: string;
  let exit: { code: number | null; stdout: string; stderr: string };
  let report: EvalReport;
  let pid: number | undefined;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "eval-cranfield-"));
    exit = await runCommand(
      ["--dataset", "../shared/datasets/cranfield", "--out", out, "--concurrency", "8", "--workers", "2"],
      { ...process.env, INIT_CWD: repoRoot(), DENSE_MODEL: "offline/use-lite", SPARSE_MODEL: "Qdrant/bm25" },
    );
    pid = running?.pid;
    if (exit.code === 0) report = JSON.parse(await readFile(join(out, "results.json"), "utf8")) as EvalReport;
  }, 900_000);

  afterAll(async () => {
    // Still running only when beforeAll timed out: SIGTERM makes the command stop the stack it started.
    if (running && running.exitCode === null) {
      running.kill("SIGTERM");
      await new Promise((done) => running?.once("close", done));
    }
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("exits 0 and prints the table", () => {
    expect(exit.code, `stderr:\n${exit.stderr.slice(-4000)}`).toBe(0);
    expect(exit.stdout).toMatch(/\| mode +\| +nDCG@10 \| Recall@100 \| +MRR@10 \|/);
    expect(exit.stdout).toMatch(/\| hybrid RRF k=61 +\|/);
  });

  it("ingested every document and evaluated every judged query in five modes", () => {
    expect(report.dataset).toMatchObject({
      documents: 1400,
      queries: 225,
      judgments: 1612,
      missingQueries: [],
    });
    expect(report.stack).toBe("started");
    expect(report.modes.map((m) => m.name)).toEqual([
      "dense",
      "sparse",
      "hybrid-rrf-k2",
      "hybrid-rrf-k61",
      "hybrid-dbsf",
    ]);
    for (const mode of report.modes) expect(mode.withoutResults, mode.name).toBe(0);
    // A failed search no longer stops the run, so the report must say none failed.
    expect(report.failedSearches, JSON.stringify(report.modes.flatMap((m) => m.failed)).slice(0, 2000)).toBe(
      0,
    );
  });

  it("puts every mode well above a random ranking", () => {
    // A random ranking of 1,400 documents scores about 0.005 nDCG@10 and 0.071 Recall@100 here.
    for (const mode of report.modes) {
      expect(mode.metrics["ndcg@10"], mode.name).toBeGreaterThan(
        Math.max(0.1, 10 * report.random["ndcg@10"]),
      );
      expect(mode.metrics["mrr@10"], mode.name).toBeGreaterThan(Math.max(0.15, 10 * report.random["mrr@10"]));
      expect(mode.metrics["recall@100"], mode.name).toBeGreaterThan(3 * report.random["recall@100"]);
    }
  });

  it("never puts a hybrid mode below the worse single mode", () => {
    const byName = new Map(report.modes.map((m) => [m.name, m.metrics]));
    for (const metric of METRICS) {
      const worse = Math.min(byName.get("dense")?.[metric] ?? 0, byName.get("sparse")?.[metric] ?? 0);
      for (const hybrid of ["hybrid-rrf-k2", "hybrid-rrf-k61", "hybrid-dbsf"]) {
        expect(byName.get(hybrid)?.[metric], `${hybrid} ${metric}`).toBeGreaterThanOrEqual(worse);
      }
    }
  });

  it("leaves no queue keys behind in the shared Redis", async () => {
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      const [, keys] = await redis.scan("0", "MATCH", `eval-${pid}-*`, "COUNT", 100_000);
      expect(keys).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it("writes the Markdown table and an SVG chart with a bar per mode and metric", async () => {
    expect(await readFile(join(out, "results.md"), "utf8")).toMatch(/\| sparse \(BM25\) +\|/);
    const svg = await readFile(join(out, "chart.svg"), "utf8");
    expect(svg.match(/class="bar"/g)).toHaveLength(5 * 3);
  });
});

let running: ChildProcess | undefined;

function runCommand(args: string[], env: Record<string, string | undefined>): Promise<ScriptResult> {
  return runScript("tools/eval/src/main.ts", args, {
    cwd: repoRoot(),
    env,
    onSpawn: (child) => {
      running = child;
    },
  });
}

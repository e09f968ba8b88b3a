import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningStack, type StackOptions, startStack } from "@hybrid/stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEvalArgs } from "../src/cli-args.js";
import { runEvalCommand } from "../src/eval-command.js";
import { repoRoot } from "../src/paths.js";
import type { EvalReport } from "../src/report.js";

/**
 * `runEvalCommand` with the real stack it starts (Redis, the Qdrant local mode, producer, one embed worker, query API,
 * offline model) on a six-document dataset, with the query API behind a stand-in proxy: a loopback HTTP server that
 * forwards everything to the real query API but answers 500 for chosen query texts (a real query API cannot be made
 * to fail on cue). The run must go on, list the failed searches and score only the ones that answered.
 */
const DOCS = [
  { _id: "d1", title: "Volcanoes", text: "Molten lava erupts from the volcano crater." },
  { _id: "d2", title: "Penguins", text: "Emperor penguins breed on the Antarctic sea ice." },
  { _id: "d3", title: "Sourdough", text: "Sourdough bread rises with a wild yeast starter." },
  { _id: "d4", title: "Jupiter", text: "The moons of Jupiter orbit the giant planet." },
  { _id: "d5", title: "Chess", text: "A chess opening develops knights and bishops early." },
  { _id: "d6", title: "Tides", text: "Ocean tides follow the pull of the moon." },
];
const QUERIES = [
  { _id: "q1", text: "volcano lava crater" },
  { _id: "q2", text: "emperor penguins antarctic" },
  { _id: "q3", text: "sourdough starter yeast" },
  { _id: "q4", text: "jupiter moons planet" },
];
/** Query text → the modes in which the stand-in answers 500 ("*" = every mode). */
const FAIL: Record<string, string> = {
  "emperor penguins antarctic": "*",
  "sourdough starter yeast": "sparse",
};

describe("pnpm eval when some searches fail", () => {
  let dir: string;
  let proxy: Server | undefined;
  let report: EvalReport;
  let markdown: string;

  async function startProxy(target: string): Promise<string> {
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", async () => {
        const body = Buffer.concat(chunks);
        if (req.url === "/v1/search") {
          const search = JSON.parse(body.toString()) as { query: string; mode: string };
          const failIn = FAIL[search.query];
          if (failIn === "*" || failIn === search.mode) {
            res.writeHead(500, { "content-type": "application/json" });
            res.end(JSON.stringify({ error: { code: "INTERNAL", message: "stand-in failure" } }));
            return;
          }
        }
        const answer = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers: { "content-type": "application/json" },
          body: req.method === "GET" ? undefined : body,
        });
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    await new Promise<void>((done) => proxy?.listen(0, "127.0.0.1", done));
    return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "eval-failed-"));
    const dataset = join(dir, "tiny");
    await mkdir(join(dataset, "qrels"), { recursive: true });
    const lines = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
    await writeFile(join(dataset, "corpus.jsonl"), lines(DOCS));
    await writeFile(join(dataset, "queries.jsonl"), lines(QUERIES));
    await writeFile(
      join(dataset, "qrels", "test.tsv"),
      "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\nq4\td4\t1\n",
    );
    const args = parseEvalArgs(
      ["--dataset", dataset, "--out", join(dir, "out"), "--workers", "1", "--concurrency", "2"],
      dir,
      repoRoot(),
    );
    const result = await runEvalCommand(args, {
      startStack: async (options: StackOptions): Promise<RunningStack> => {
        const stack = await startStack(options);
        return { ...stack, queryUrl: await startProxy(stack.queryUrl) };
      },
      env: { REDIS_URL: process.env.REDIS_URL, DENSE_MODEL: "offline/use-lite", SPARSE_MODEL: "Qdrant/bm25" },
      note: () => {},
    });
    report = JSON.parse(await readFile(result.files.json, "utf8")) as EvalReport;
    markdown = await readFile(result.files.markdown, "utf8");
  }, 300_000);

  afterAll(async () => {
    await new Promise((done) => (proxy ? proxy.close(done) : done(undefined)));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("counts and lists every failed search, with its query id and error, in results.json", () => {
    expect(report.searches).toBe(4 * 5);
    expect(report.failedSearches).toBe(5 + 1);
    for (const mode of report.modes) {
      const expected = mode.name === "sparse" ? ["q2", "q3"] : ["q2"];
      expect(mode.failed.map((f) => f.queryId).sort(), mode.name).toEqual(expected);
      expect(mode.queries, mode.name).toBe(4 - expected.length);
      for (const failure of mode.failed) expect(failure.error).toMatch(/HTTP 500: .*stand-in failure/);
    }
  });

  it("scores only the queries that answered", () => {
    // Each answered query's one relevant document shares its rare words: BM25 ranks it first. Failed searches
    // counted as misses would give 0.5 (q1 and q4 of four queries).
    const sparse = report.modes.find((m) => m.name === "sparse");
    expect(sparse?.metrics).toEqual({ "ndcg@10": 1, "recall@100": 1, "mrr@10": 1 });
    for (const mode of report.modes) expect(mode.metrics["recall@100"], mode.name).toBe(1);
  });

  it("says how many failed and lists them in results.md", () => {
    expect(markdown).toContain("**6 of 20 searches failed**");
    expect(markdown).toMatch(
      /\| sparse \(BM25\) \| q3 \| POST http:\/\/127\.0\.0\.1:\d+\/v1\/search: HTTP 500: /,
    );
    expect(markdown.match(/\| q2 \|/g)).toHaveLength(5);
  });
});

import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot, runScript, type ScriptResult } from "@hybrid/stack";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../src/harness/index.js";
import {
  collectionName,
  countPoints,
  type LocalIngestionStack,
  makeRows,
  startLocalIngestionStack,
  storedRowIds,
} from "./ingestion-support.js";

/** Producer + one embed worker + the local mode as processes, and `pnpm ingest`'s CLI as a process of its own. */
const KEY = "e2e-upload-key";
let stack: LocalIngestionStack;

beforeAll(async () => {
  stack = await startLocalIngestionStack("e2e-upload-data-", { workers: 1, producerEnv: { API_KEYS: KEY } });
});

function runCli(args: string[]): Promise<ScriptResult> {
  return runScript("services/ingest-producer/src/cli.ts", [...args, "--url", stack.producer.url], {
    cwd: repoRoot,
    env: { ...process.env, INGEST_API_KEY: KEY, INIT_CWD: repoRoot },
  });
}

describe("pnpm ingest of a file outside the producer's DATA_DIRS", () => {
  it("uploads it, ingests every row, and removes the spool; the same path as a file source stays refused", async () => {
    const outside = makeTempDir("e2e-upload-outside-");
    const rows = makeRows(40, 12);
    const file = join(outside, "corpus.jsonl.gz");
    writeFileSync(file, gzipSync(`${rows.map((r) => JSON.stringify(r)).join("\n")}\n`));
    const collection = collectionName("upload");

    const run = await runCli([file, "--collection", collection, "--text", "{title}. {text}", "--id", "id"]);
    expect(run.stderr).toContain(`uploading ${file}`);
    expect(run.stdout).toMatch(new RegExp(`completed in .* -> collection "${collection}"`));
    expect(run.code).toBe(0);
    expect(await countPoints(stack.qdrantUrl, collection)).toBe(40);
    expect(await storedRowIds(stack.qdrantUrl, collection)).toEqual(rows.map((r) => r.id).sort());
    expect(readdirSync(join(stack.dataDir, ".uploads"))).toEqual([]);

    const asFile = await fetch(`${stack.producer.url}/v1/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ collection, source: { type: "file", path: file }, text: "title" }),
    });
    expect(asFile.status).toBe(400);
    expect((await fetch(`${stack.producer.url}/v1/jobs`)).status).toBe(401);
  });
});

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { BatchJob, batchJobId } from "@hybrid/queue";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SourcePolicy } from "../sources/open-source.js";
import { startHfServer } from "../testing/hf-server.js";
import { createTestHarness, type TestHarness } from "../testing/test-deps.js";
import type { IngestionView } from "./ingestion-view.js";
import { submitIngestion } from "./ingestions.js";

/**
 * Ingestion must lose nothing and say so (real Redis and BullMQ; a test worker stands in for embed-worker):
 * every row read is upserted, skipped with its line and reason, or in a failed batch.
 */
let harness: TestHarness | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-loss-"));
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A local server for URL sources: bodies cut short, capped, or in UTF-16. */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/short.jsonl") {
      // Announces more than it sends, then drops the connection: the body ends short of its length.
      res.writeHead(200, { "content-length": "100000" });
      res.write(lines(6));
      setTimeout(() => res.destroy(), 50);
      return;
    }
    if (req.url === "/utf16.jsonl") {
      const text = '{"t":"Ærø"}\n{"t":"naïve"}\n';
      res.end(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
      return;
    }
    if (req.url === "/chunked.jsonl") {
      // Five rows a chunk, a chunk every few milliseconds, until the client stops reading.
      res.writeHead(200, { "transfer-encoding": "chunked" });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= 200 || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(lines(5, sent));
        sent += 5;
      }, 5);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Submits `request` and waits for the ingestion to end; its view then. */
async function ingestToEnd(
  h: TestHarness,
  request: Parameters<typeof submitIngestion>[1],
  timeoutMs?: number,
): Promise<IngestionView> {
  return h.waitForEnd((await submitIngestion(h.deps, request)).id, timeoutMs);
}

/** Every row read is upserted, skipped or in a failed batch once the ingestion is over. */
function expectCountsAddUp(view: IngestionView): void {
  expect(view.rows.pending).toBe(0);
  expect(view.rows.read).toBe(view.rows.skipped + view.rows.upserted + view.rows.failed);
}

const lines = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `${JSON.stringify({ t: `row ${from + i} ${Math.sin(i)}` })}\n`).join(
    "",
  );

const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

function start(sources: Partial<SourcePolicy> = {}): TestHarness {
  const h = createTestHarness({
    sources: { dataDirs: [dir], maxRowBytes: 1024 * 1024, urlAllowHosts: [new URL(base).origin], ...sources },
  });
  h.startProducer();
  h.startEmbedStandIn();
  return h;
}

describe("a pathologically nested row", () => {
  it("is one skipped row with its line in a JSON Lines file and a JSON array; the other rows go in", async () => {
    harness = start();
    const nested = `{"t":"deep","p":${deep(10_000)}}`;
    await writeFile(path.join(dir, "deep.jsonl"), `{"t":"one"}\n${nested}\n{"t":"three"}\n`);
    await writeFile(path.join(dir, "deep.json"), `[{"t":"one"},${nested},{"t":"three"}]`);
    for (const [file, line] of [
      ["deep.jsonl", 2],
      ["deep.json", 1],
    ] as const) {
      const view = await ingestToEnd(harness, {
        collection: "c",
        source: { type: "file", path: file, format: "auto" },
        text: "t",
      });
      expect(view.state).toBe("completed");
      expect(view.rows).toMatchObject({ read: 3, skipped: 1 });
      expect(view.skipped.first).toEqual([
        { line, reason: "too_deeply_nested", message: expect.stringMatching(/more than 64 levels/) },
      ]);
      expect(view.points.upserted).toBe(2);
    }
  });
});

describe("a read that fails mid-way", () => {
  it("embeds the rows of a truncated gzip file read before the cut, then fails naming the file", async () => {
    harness = start();
    const gz = gzipSync(lines(300));
    await writeFile(path.join(dir, "cut.jsonl.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
    const view = await ingestToEnd(harness, {
      collection: "c",
      source: { type: "file", path: "cut.jsonl.gz", format: "auto" },
      text: "t",
      batchSize: 64,
    });
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/cut\.jsonl\.gz is not a complete gzip file: unexpected end of file/);
    expect(view.rows.read).toBe(146);
    expect(view.rows.upserted).toBe(146);
    expect(view.points.upserted).toBe(146);
    expectCountsAddUp(view);
  });

  it("embeds the dataset rows read before the datasets server stopped sending any, then fails", async () => {
    const hf = await startHfServer({ total: 250, emptyFrom: 150, pageLimit: 30 });
    try {
      harness = start({ hfDatasetsUrl: hf.url });
      const view = await ingestToEnd(harness, {
        collection: "c",
        source: { type: "hf", dataset: "test/docs", split: "corpus[100:]" },
        text: "text",
        batchSize: 16,
      });
      expect(view.state).toBe("failed");
      expect(view.error).toMatch(/no rows at offset 150/);
      // Rows 100..149 came in pages of 30 and 20; row 107 has an empty text.
      expect(view.rows).toMatchObject({ read: 50, skipped: 1, upserted: 49, total: 150 });
      expectCountsAddUp(view);
    } finally {
      await hf.close();
    }
  });

  it("embeds the elements of a JSON array cut off before its closing bracket, then fails", async () => {
    harness = start();
    const elements = Array.from({ length: 6 }, (_, i) => JSON.stringify({ t: `element ${i}` }));
    await writeFile(path.join(dir, "cut.json"), `[${elements.join(",")},`);
    const view = await ingestToEnd(harness, {
      collection: "c",
      source: { type: "file", path: "cut.json", format: "auto" },
      text: "t",
    });
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/cut off after 6 elements/);
    expect(view.rows).toMatchObject({ read: 6, upserted: 6 });
    expectCountsAddUp(view);
  });

  it("embeds the rows before a chunked body hit the size cap", async () => {
    harness = start({ urlMaxBytes: 2000 });
    const view = await ingestToEnd(harness, {
      collection: "c",
      source: { type: "url", url: `${base}/chunked.jsonl`, format: "auto" },
      text: "t",
      batchSize: 64,
    });
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/larger than the 2000-byte limit/);
    expect(view.rows.read).toBeGreaterThan(10);
    expect(view.rows.upserted).toBe(view.rows.read);
    expectCountsAddUp(view);
  });

  it("embeds, once, the rows of a body shorter than its Content-Length after the retries", async () => {
    harness = start();
    const view = await ingestToEnd(
      harness,
      {
        collection: "c",
        source: { type: "url", url: `${base}/short.jsonl`, format: "auto" },
        text: "t",
      },
      20_000,
    );
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/reading the source failed/);
    // Three reads of the same 6 rows: the full batch is queued once, the partial one only after the last.
    expect(view.rows).toMatchObject({ read: 6, upserted: 6 });
    expect(view.points.upserted).toBe(6);
    expect(view.batches).toMatchObject({ queued: 2, done: 2 });
    expectCountsAddUp(view);
  }, 30_000);
});

describe("rows whose ids map to the same point", () => {
  it("are counted and listed with both lines, and points count distinct points", async () => {
    harness = start();
    const rows = [
      '{"id":1,"t":"a"}',
      '{"id":"1","t":"b"}',
      '{"id":1.0,"t":"c"}',
      '{"id":"x","t":"d"}',
      '{"id":"y","t":"e"}',
      '{"id":"z","t":"f"}',
      '{"id":"w","t":"g"}',
      '{"id":"v","t":"h"}',
      '{"id":"x","t":"i"}',
      '{"id":"u","t":"j"}',
    ];
    await writeFile(path.join(dir, "same-ids.jsonl"), `${rows.join("\n")}\n`);
    const view = await ingestToEnd(harness, {
      collection: "c",
      source: { type: "file", path: "same-ids.jsonl", format: "auto" },
      text: "t",
      id: "id",
    });
    expect(view.state).toBe("completed");
    expect(view.collisions).toEqual({
      count: 3,
      first: [
        { line: 2, earlierLine: 1, rowId: "1" },
        { line: 3, earlierLine: 1, rowId: "1" },
        { line: 9, earlierLine: 4, rowId: "x" },
      ],
    });
    expect(view.rows).toMatchObject({ read: 10, upserted: 10 });
    expect(view.points.upserted).toBe(7);
    expectCountsAddUp(view);
    // The per-point record is only needed while reading.
    expect(await harness.deps.redis.exists(`${harness.prefix}:ingestion:${view.id}:points`)).toBe(0);
  });
});

describe("text that is not UTF-8", () => {
  const texts = async (h: TestHarness, id: string, batches: number) => {
    const out: string[] = [];
    for (let i = 0; i < batches; i++) {
      const job = await h.deps.embedQueue.getJob(batchJobId(id, i));
      out.push(...BatchJob.parse(job?.data).rows.map((row) => row.text));
    }
    return out;
  };

  it("is a skipped row with its line and reason when the job names no encoding", async () => {
    harness = start();
    const file = Buffer.concat([
      Buffer.from('{"t":"plain"}\n'),
      Buffer.from('{"t":"café"}\n{"t":"crème"}\n', "latin1"),
      Buffer.from('{"t":"déjà vu"}\n'),
    ]);
    await writeFile(path.join(dir, "latin1.jsonl"), file);
    const view = await ingestToEnd(harness, {
      collection: "c",
      source: { type: "file", path: "latin1.jsonl", format: "auto" },
      text: "t",
    });
    expect(view.state).toBe("completed");
    expect(view.skipped.byReason).toEqual({ invalid_utf8: 2 });
    expect(view.skipped.first.map((s) => [s.line, s.reason])).toEqual([
      [2, "invalid_utf8"],
      [3, "invalid_utf8"],
    ]);
    expect(await texts(harness, view.id, 1)).toEqual(["plain", "déjà vu"]);
    expectCountsAddUp(view);

    // Named latin1, the UTF-8 lines are read as latin1 too: the encoding applies to the whole file.
    const decoded = await ingestToEnd(harness, {
      collection: "c",
      source: { type: "file", path: "latin1.jsonl", format: "auto", encoding: "latin1" },
      text: "t",
    });
    expect(decoded.rows).toMatchObject({ read: 4, skipped: 0, upserted: 4 });
    expect((await texts(harness, decoded.id, 1))[1]).toBe("café");
  });

  it("is decoded from the encoding a URL job names", async () => {
    harness = start();
    const view = await ingestToEnd(harness, {
      collection: "c",
      source: { type: "url", url: `${base}/utf16.jsonl`, format: "auto", encoding: "utf-16le" },
      text: "t",
    });
    expect(view.state).toBe("completed");
    expect(await texts(harness, view.id, 1)).toEqual(["Ærø", "naïve"]);
  });
});

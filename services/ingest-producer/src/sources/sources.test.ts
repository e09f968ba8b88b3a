import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HfServer, startHfServer } from "../testing/hf-server.js";
import { drain } from "../testing/records.js";
import { openFileSource, resolveDataFile } from "./file-source.js";
import { openHfSource } from "./hf-source.js";
import { parseSplit, resolveSlice } from "./hf-split.js";
import type { RawRecord } from "./raw-record.js";
import { openUrlSource } from "./url-source.js";

let dir: string;
let outside: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-data-"));
  outside = await mkdtemp(path.join(tmpdir(), "producer-outside-"));
  await writeFile(path.join(dir, "a.jsonl"), '{"t":"one"}\n{"t":"two"}\n');
  await writeFile(path.join(dir, "b.json.gz"), gzipSync('[{"t":"x"},{"t":"y"},{"t":"z"}]'));
  await writeFile(path.join(outside, "secret.jsonl"), '{"t":"secret"}\n');
  await symlink(path.join(outside, "secret.jsonl"), path.join(dir, "link.jsonl"));
  await symlink(outside, path.join(dir, "outlink"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("file sources", () => {
  it("reads JSON Lines and gzipped JSON arrays under a data directory", async () => {
    const lines = await openFileSource(
      { path: "a.jsonl", format: "auto" },
      { dataDirs: [dir], maxRowBytes: 100 },
    );
    expect(lines.key).toBe("file:a.jsonl");
    expect(await drain(lines)).toHaveLength(2);
    expect(lines.bytes()).toEqual({ read: 24, total: 24 });
    const gz = await openFileSource(
      { path: path.join(dir, "b.json.gz"), format: "auto" },
      { dataDirs: [dir], maxRowBytes: 100 },
    );
    expect((await drain(gz)).map((r) => ("value" in r ? r.value : r.skip))).toEqual([
      { t: "x" },
      { t: "y" },
      { t: "z" },
    ]);
  });

  it("refuses paths outside the data directories, through symlinks too, and missing files", async () => {
    await expect(resolveDataFile(path.join(outside, "secret.jsonl"), [dir])).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(resolveDataFile("link.jsonl", [dir])).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(resolveDataFile("missing.jsonl", [dir])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(resolveDataFile("a.jsonl", [])).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("answers the same for an existing and a missing file outside, so existence cannot be probed", async () => {
    const answer = async (requested: string) => {
      const error = await resolveDataFile(requested, [dir]).catch((e: unknown) => e);
      const { code, message } = error as { code: string; message: string };
      return { code, message: message.replace(requested, "<path>") };
    };
    const refused = { code: "BAD_REQUEST", message: "path is outside the allowed data directories: <path>" };
    for (const [exists, missing] of [
      [path.join(outside, "secret.jsonl"), path.join(outside, "none.jsonl")],
      [`../${path.basename(outside)}/secret.jsonl`, `../${path.basename(outside)}/none.jsonl`],
      ["outlink/secret.jsonl", "outlink/none.jsonl"],
      ["/etc/hostname", "/etc/no-such-file"],
    ] as const) {
      expect(await answer(exists)).toEqual(refused);
      expect(await answer(missing)).toEqual(refused);
    }
  });
});

describe("URL sources", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/data.jsonl") return res.end('{"t":"a"}\n{"t":"b"}\n');
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "http://localhost:1/elsewhere" });
        return res.end();
      }
      if (req.url === "/hop") {
        res.writeHead(301, { location: "/data.jsonl" });
        return res.end();
      }
      if (req.url === "/big") {
        res.writeHead(200, { "transfer-encoding": "chunked" });
        for (let i = 0; i < 100; i++) res.write(`${JSON.stringify({ t: "x".repeat(100) })}\n`);
        return res.end();
      }
      res.writeHead(500);
      res.end("boom");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    policy.allowHosts = [base];
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const policy = { allowHosts: [] as string[], maxBytes: 1000, maxRowBytes: 1000 };

  it("streams an allowed URL, following redirects on allowed hosts", async () => {
    const direct = await openUrlSource({ url: `${base}/data.jsonl`, format: "auto" }, policy);
    expect(await drain(direct)).toHaveLength(2);
    expect(await drain(await openUrlSource({ url: `${base}/hop`, format: "jsonl" }, policy))).toHaveLength(2);
  });

  it("refuses hosts off the allow-list, including after a redirect", async () => {
    await expect(
      openUrlSource({ url: `${base}/data.jsonl`, format: "auto" }, { ...policy, allowHosts: [] }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(openUrlSource({ url: `${base}/redirect`, format: "auto" }, policy)).rejects.toThrow(
      /localhost:1/,
    );
  });

  it("stops a body over the size cap and reports upstream errors", async () => {
    // Opening looks at the first 64 KiB to tell the format, so the cap may already stop the open.
    const big = async () => drain(await openUrlSource({ url: `${base}/big`, format: "auto" }, policy));
    await expect(big()).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    await expect(openUrlSource({ url: `${base}/missing`, format: "auto" }, policy)).rejects.toMatchObject({
      code: "UPSTREAM",
      retryable: true,
    });
  });
});

describe("Hugging Face split slices", () => {
  it("parses and resolves the datasets slice syntax", () => {
    expect(resolveSlice(parseSplit("train"), 1000)).toEqual({ start: 0, end: 1000 });
    expect(resolveSlice(parseSplit("train[0:100]"), 1000)).toEqual({ start: 0, end: 100 });
    expect(resolveSlice(parseSplit("train[:5%]"), 1000)).toEqual({ start: 0, end: 50 });
    expect(resolveSlice(parseSplit("train[10%:20%]"), 1000)).toEqual({ start: 100, end: 200 });
    expect(resolveSlice(parseSplit("train[-10:]"), 1000)).toEqual({ start: 990, end: 1000 });
    expect(resolveSlice(parseSplit("train[50:5000]"), 100)).toEqual({ start: 50, end: 100 });
    expect(() => parseSplit("train[a:b]")).toThrow(/invalid split/);
    expect(() => parseSplit("train[:150%]")).toThrow(/outside/);
  });

  it("refuses a slice that starts after it ends (it would read a negative number of rows)", () => {
    expect(() => parseSplit("train[5:2]")).toThrow(/starts after it ends/);
    expect(() => parseSplit("train[50%:10%]")).toThrow(/starts after it ends/);
    expect(() => parseSplit("train[-2:-5]")).toThrow(/starts after it ends/);
    expect(resolveSlice(parseSplit("train[-5:2]"), 100)).toEqual({ start: 95, end: 95 });
  });
});

describe("Hugging Face sources (local server with the datasets-server answer shape)", () => {
  let hf: HfServer;
  beforeAll(async () => {
    hf = await startHfServer({ total: 250, failFirst: 1 });
  });
  afterAll(() => hf.close());

  it("finds the config, retries a 429 and reads a percent slice page by page", async () => {
    const source = await openHfSource(
      { dataset: "test/docs", split: "corpus[:90%]" },
      { baseUrl: hf.url, maxRowBytes: 10_000, retryDelayMs: 10 },
    );
    const records = await drain(source);
    expect(source.key).toBe("hf:test/docs/corpus:corpus");
    expect(source.rowsTotal).toBe(225);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 225 }, (_, i) => i));
    expect(records[3]).toMatchObject({ value: { _id: "doc3", title: "Title 3" } });
    const pages = hf.requests.filter(
      (r) => r.startsWith("/rows") && !r.includes("length=1&") && !r.endsWith("length=1"),
    );
    expect(pages.map((r) => new URL(r, "http://x").searchParams.get("offset"))).toEqual(["0", "100", "200"]);
    expect(pages.at(-1)).toContain("length=25");
  });

  it("reads an absolute slice with a given config and names a missing split", async () => {
    const source = await openHfSource(
      { dataset: "test/docs", config: "corpus", split: "corpus[240:260]" },
      { baseUrl: hf.url, maxRowBytes: 10_000 },
    );
    expect((await drain(source)).map((r) => r.line)).toEqual(Array.from({ length: 10 }, (_, i) => 240 + i));
    await expect(
      openHfSource({ dataset: "test/docs", split: "train" }, { baseUrl: hf.url, maxRowBytes: 10 }),
    ).rejects.toThrow(/no split "train" \(has: corpus\/corpus, queries\/queries\)/);
  });
});

describe("Hugging Face pages that come back short or empty", () => {
  const lines = (records: RawRecord[]) => records.map((r) => r.line);

  it("goes on from the rows received when a page holds fewer rows than asked", async () => {
    const hf = await startHfServer({ total: 250, pageLimit: 30 });
    try {
      const source = await openHfSource(
        { dataset: "test/docs", config: "corpus", split: "corpus" },
        { baseUrl: hf.url, maxRowBytes: 10_000 },
      );
      expect(source.rowsTotal).toBe(250);
      expect(lines(await drain(source))).toEqual(Array.from({ length: 250 }, (_, i) => i));
      const offsets = hf.requests.map((r) => new URL(r, "http://x").searchParams.get("offset"));
      expect(offsets.slice(0, 4)).toEqual(["0", "30", "60", "90"]);
    } finally {
      await hf.close();
    }
  });

  it("asks an empty page again, then fails the read naming the offset, after the rows before it", async () => {
    const hf = await startHfServer({ total: 250, emptyFrom: 150 });
    try {
      const source = await openHfSource(
        { dataset: "test/docs", config: "corpus", split: "corpus[100:]" },
        { baseUrl: hf.url, maxRowBytes: 10_000, attempts: 3, retryDelayMs: 5 },
      );
      const seen: number[] = [];
      await expect(
        (async () => {
          for await (const record of source.records) seen.push(record.line);
        })(),
      ).rejects.toThrow(/no rows at offset 150 \(3 tries\).*50 of 150 rows were read/);
      expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
      expect(hf.requests.filter((r) => r.includes("offset=150"))).toHaveLength(3);
    } finally {
      await hf.close();
    }
  });
});

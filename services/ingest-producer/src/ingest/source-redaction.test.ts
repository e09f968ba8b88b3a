import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { urlSourceKey } from "../sources/url-source.js";
import { createTestHarness, type TestHarness, waitFor } from "../testing/test-deps.js";
import { getIngestion, listIngestions, submitIngestion } from "./ingestions.js";

let server: Server;
let harness: TestHarness;
let base: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(404);
    res.end("gone");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  harness = createTestHarness({ sources: { urlAllowHosts: [`http://${base}`] } });
  harness.startProducer();
});
afterAll(async () => {
  await harness.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("source URLs in job views (real Redis and BullMQ, a local HTTP server)", () => {
  it("show no credentials or query values, in the source nor in the read error", async () => {
    const url = `http://reader:pw-77@${base}/data.jsonl?token=tok-77&page=2`;
    const submitted = await submitIngestion(harness.deps, {
      collection: "c",
      source: { type: "url", url, format: "auto" },
      text: "t",
    });
    const failed = await waitFor(async () => {
      const view = await getIngestion(harness.deps, submitted.id);
      return view.state === "failed" ? view : undefined;
    });
    const shown = JSON.stringify([failed, await listIngestions(harness.deps, { limit: 5 })]);
    expect(shown).not.toMatch(/pw-77|tok-77/);
    expect(failed.source.url).toBe(`http://[redacted]@${base}/data.jsonl?token=[redacted]&page=[redacted]`);
    expect(failed.error).toMatch(/answered 404/);
  });

  it("derive row ids without the secrets, still apart for URLs that differ only in them", () => {
    expect(urlSourceKey("https://h/x.jsonl")).toBe("url:https://h/x.jsonl");
    const one = urlSourceKey("https://h/x.jsonl?page=1&token=abc");
    expect(one).toMatch(/^url:https:\/\/h\/x\.jsonl\?page=\[redacted\]&token=\[redacted\]~[0-9a-f]{12}$/);
    expect(urlSourceKey("https://h/x.jsonl?page=2&token=abc")).not.toBe(one);
  });
});

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedSource } from "./raw-record.js";
import { isPrivateAddress, parseAllowList } from "./url-allow-list.js";
import { checkUrlSource, openUrlSource } from "./url-source.js";

/** Two real servers on loopback: `data` serves rows (and redirects), `other` stands in for a local Qdrant. */
const seen: IncomingHttpHeaders[] = [];
let data: Server;
let other: Server;
let dataPort: number;
let otherPort: number;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  other = createServer((req, res) => {
    seen.push(req.headers);
    res.end('{"t":"collections of the local Qdrant"}\n');
  });
  otherPort = await listen(other);
  data = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === "/to-other") {
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/collections` });
      return res.end();
    }
    if (req.url === "/to-nowhere") {
      res.writeHead(302, { location: "http://[not-an-address/x" });
      return res.end();
    }
    if (req.url === "/to-self") {
      res.writeHead(302, { location: "/rows.jsonl" });
      return res.end();
    }
    res.end('{"t":"a"}\n{"t":"b"}\n');
  });
  dataPort = await listen(data);
});
afterAll(async () => {
  await Promise.all([data, other].map((s) => new Promise((resolve) => s.close(resolve))));
});

const open = (url: string, allowHosts: string[]) =>
  openUrlSource({ url, format: "jsonl" }, { allowHosts, maxBytes: 10_000, maxRowBytes: 1000 });
const drain = async (source: OpenedSource) => {
  const rows: unknown[] = [];
  for await (const record of source.records) rows.push(record);
  return rows;
};

describe("URL allow-list entries", () => {
  it("parse scheme, host and port with https and its default port when left out", () => {
    expect(
      parseAllowList(["example.org", "http://localhost:6333", "https://*.example.org:*", "[::1]:8443"]),
    ).toEqual([
      { protocol: "https:", host: "example.org", port: 443 },
      { protocol: "http:", host: "localhost", port: 6333 },
      { protocol: "https:", host: "*.example.org", port: "*" },
      { protocol: "https:", host: "[::1]", port: 8443 },
    ]);
    expect(() => parseAllowList(["ftp://example.org"])).toThrow(/\[http:\/\/\|https:\/\/\]host\[:port\]/);
    expect(() => parseAllowList(["example.org:99999"])).toThrow(/example.org:99999/);
  });

  it("classify loopback, link-local and private addresses, IPv4-mapped ones too", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "169.254.169.254",
      "192.168.0.1",
      "::1",
      "fe80::1",
      "fd00::1",
    ])
      expect(isPrivateAddress(address)).toBe(true);
    expect(isPrivateAddress("::ffff:7f00:1")).toBe(true);
    expect(isPrivateAddress("::ffff:127.0.0.1")).toBe(true);
    expect(isPrivateAddress("93.184.216.34")).toBe(false);
    expect(isPrivateAddress("2606:4700::1111")).toBe(false);
  });
});

describe("URL sources against the allow-list (real HTTP servers on loopback)", () => {
  it("refuses another port of an allowed host: allowing localhost does not open the local Qdrant", async () => {
    const qdrantUrl = `http://localhost:${otherPort}/collections`;
    for (const allow of [["localhost"], ["http://localhost"], [`http://localhost:${dataPort}`]]) {
      await expect(open(qdrantUrl, allow)).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(checkUrlSource(new URL(qdrantUrl), allow)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(
      await drain(await open(`http://localhost:${dataPort}/rows.jsonl`, [`http://localhost:${dataPort}`])),
    ).toHaveLength(2);
  });

  it("checks every redirect hop: a hop to an unlisted port is refused, one on the listed origin followed", async () => {
    const allow = [`http://127.0.0.1:${dataPort}`];
    await expect(open(`http://127.0.0.1:${dataPort}/to-other`, allow)).rejects.toThrow(
      new RegExp(`127.0.0.1:${otherPort} is not on the URL allow-list`),
    );
    expect(await drain(await open(`http://127.0.0.1:${dataPort}/to-self`, allow))).toHaveLength(2);
    await expect(open(`http://127.0.0.1:${dataPort}/to-nowhere`, allow)).rejects.toMatchObject({
      code: "UPSTREAM",
      retryable: false,
      message: expect.stringMatching(/redirected to an invalid URL/),
    });
  });

  it("needs an entry naming a private host: a wildcard reaches public addresses only (name resolved)", async () => {
    const wildcard = [`http://*:${dataPort}`];
    await expect(open(`http://127.0.0.1:${dataPort}/rows.jsonl`, wildcard)).rejects.toThrow(
      /private or loopback/,
    );
    // `localhost` is a name: the wildcard matches it, the lookup at connect time finds 127.0.0.1 and refuses.
    await expect(open(`http://localhost:${dataPort}/rows.jsonl`, wildcard)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/resolves to the private or loopback address/),
    });
    await expect(checkUrlSource(new URL(`http://localhost:${dataPort}/x`), wildcard)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("sends user:pass@ as HTTP Basic to the URL's own origin only, never on a hop elsewhere", async () => {
    seen.length = 0;
    const allow = [`http://127.0.0.1:${dataPort}`, `http://127.0.0.1:${otherPort}`];
    await drain(await open(`http://reader:pw@127.0.0.1:${dataPort}/to-other`, allow));
    expect(seen.map((h) => h.authorization)).toEqual([
      `Basic ${Buffer.from("reader:pw").toString("base64")}`,
      undefined,
    ]);
  });
});

import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect } from "../testing/records.js";
import { npyBytes, writeVectorSet } from "../testing/vector-set.js";
import type { OpenedSource } from "./raw-record.js";
import {
  checkVectorSetSource,
  openVectorSetSource,
  VECTOR_SET_FIELDS,
  vectorSetShape,
} from "./vector-set-source.js";

let dir: string;
let set: ReturnType<typeof writeVectorSet>;
const policy = () => ({ dataDirs: [dir], maxRowBytes: 10_000, scratchDir: path.join(dir, ".scratch") });
const source = {
  type: "vectors" as const,
  dense: "dense_vectors.npy",
  sparse: "sparse_vectors.json",
  payload: "payload.json",
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "producer-vectors-"));
  set = writeVectorSet(dir, 40, 8);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** All 40 rows read, a row's payload and vectors exactly as written, every byte counted. */
async function expectTheWholeSet(opened: OpenedSource): Promise<void> {
  const records = await collect(opened.records);
  expect(records).toHaveLength(40);
  expect(records[7]).toEqual({
    line: 7,
    bytes: expect.any(Number),
    value: {
      ...set.payload[7],
      [VECTOR_SET_FIELDS.dense]: set.dense[7],
      [VECTOR_SET_FIELDS.sparse]: set.sparse[7],
    },
  });
  expect(opened.bytes().read).toBe(opened.bytes().total);
}

describe("vector sets (dense_vectors.npy + sparse_vectors.json + payload.json)", () => {
  it("zips the three files by position, vectors exactly as stored", async () => {
    expect(await vectorSetShape(source, [dir])).toMatchObject({ rows: 40, cols: 8, dtype: "<f4" });
    const opened = await openVectorSetSource(source, policy());
    expect(opened.rowsTotal).toBe(40);
    await expectTheWholeSet(opened);
  });

  it("reads the three from a .tar.gz (members found in any folder) and removes the unpacked copy after", async () => {
    await mkdir(path.join(dir, "bundle", "startups"), { recursive: true });
    for (const name of ["dense_vectors.npy", "sparse_vectors.json", "payload.json"])
      await copyFile(path.join(dir, name), path.join(dir, "bundle", "startups", name));
    await create({ gzip: true, file: path.join(dir, "set.tar.gz"), cwd: path.join(dir, "bundle") }, [
      "startups",
    ]);
    const opened = await openVectorSetSource({ type: "vectors", archive: "set.tar.gz" }, policy());
    const records = await collect(opened.records);
    expect(records).toHaveLength(40);
    expect(records[39]).toMatchObject({
      line: 39,
      value: { ...set.payload[39], [VECTOR_SET_FIELDS.dense]: set.dense[39] },
    });
    expect(await readdir(path.join(dir, ".scratch"))).toEqual([]);
    // A link named like a member is not followed out of the archive.
    await mkdir(path.join(dir, "linked"));
    await copyFile(path.join(dir, "dense_vectors.npy"), path.join(dir, "linked", "dense_vectors.npy"));
    await symlink("/etc/hostname", path.join(dir, "linked", "payload.json"));
    await create({ file: path.join(dir, "linked.tar"), cwd: path.join(dir, "linked") }, ["."]);
    await expect(
      openVectorSetSource({ type: "vectors", archive: "linked.tar" }, policy()),
    ).rejects.toMatchObject({
      message: "linked.tar holds no payload.json",
    });
    await writeFile(path.join(dir, "junk.tar.gz"), "not a tarball");
    await expect(
      openVectorSetSource({ type: "vectors", archive: "junk.tar.gz" }, policy()),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(() => checkVectorSetSource({ type: "vectors", archive: "a", dense: "b" })).toThrow(
      /either dense and payload/,
    );
    expect(() => checkVectorSetSource({ type: "vectors", dense: "b" })).toThrow(/either dense and payload/);
  });

  it("fails, naming both files, when they disagree on the number of rows", async () => {
    const short = path.join(dir, "short.json");
    await writeFile(short, JSON.stringify(set.payload.slice(0, 39)));
    const opened = await openVectorSetSource({ ...source, payload: "short.json" }, policy());
    await expect(collect(opened.records)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message:
        "short.json has 39 objects but dense_vectors.npy has 40 rows; the files are zipped by position",
    });
  });

  it("refuses a .npy that is not a float32 matrix, naming the file", async () => {
    await writeFile(path.join(dir, "bad.npy"), Buffer.from("not numpy at all"));
    await expect(vectorSetShape({ ...source, dense: "bad.npy" }, [dir])).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "bad.npy cannot be read as the dense vectors: it is not a .npy file",
    });
    const damaged = Buffer.concat([
      Buffer.from("\x93NUMPY", "latin1"),
      Buffer.from([2, 0, 0xff, 0xff, 0xff, 0x7f]),
    ]);
    await writeFile(path.join(dir, "damaged.npy"), damaged);
    await expect(vectorSetShape({ ...source, dense: "damaged.npy" }, [dir])).rejects.toMatchObject({
      message: "damaged.npy cannot be read as the dense vectors: its header is damaged",
    });
    const f64 = npyBytes([[1, 2]], 2);
    f64.write("<f8", f64.indexOf("<f4"), "latin1");
    await writeFile(path.join(dir, "f64.npy"), f64);
    // float64 is accepted (read as numbers); the declared size no longer matches the data, so reading fails.
    const opened = await openVectorSetSource({ ...source, dense: "f64.npy" }, policy());
    await expect(collect(opened.records)).rejects.toMatchObject({ message: /ends after 0 of its 1 rows/ });
  });
});

describe("vector sets by URL (a real HTTP server on loopback)", () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  beforeAll(async () => {
    await mkdir(path.join(dir, "served"), { recursive: true });
    for (const name of ["dense_vectors.npy", "sparse_vectors.json", "payload.json"])
      await copyFile(path.join(dir, name), path.join(dir, "served", name));
    await create({ gzip: true, file: path.join(dir, "served.tar.gz"), cwd: path.join(dir, "served") }, ["."]);
    server = createServer(async (req, res) => {
      requests.push(req.url ?? "");
      if (req.url === "/moved/dense_vectors.npy") {
        res.writeHead(302, { location: "/dense_vectors.npy" }).end();
        return;
      }
      if (req.url === "/elsewhere.npy") {
        res.writeHead(302, { location: "http://localhost:9/dense_vectors.npy" }).end();
        return;
      }
      if (req.url === "/broken.npy") {
        res.writeHead(503).end();
        return;
      }
      const file = path.join(
        dir,
        req.url === "/set.tar.gz" ? "served.tar.gz" : path.join("served", req.url ?? ""),
      );
      const bytes = await readFile(file).catch(() => undefined);
      if (!bytes) {
        res.writeHead(404).end();
        return;
      }
      // The body in small pieces, as a network delivers it.
      res.writeHead(200, { "content-length": bytes.length });
      for (let at = 0; at < bytes.length; at += 700) res.write(bytes.subarray(at, at + 700));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const urls = (maxBytes = 1_000_000) => ({ allowHosts: [base], maxBytes });
  const byUrl = () => ({
    type: "vectors" as const,
    dense: `${base}/moved/dense_vectors.npy`,
    sparse: `${base}/sparse_vectors.json`,
    payload: `${base}/payload.json`,
  });

  it("reads the three files by URL, as from disk, and tells the width from the .npy header first", async () => {
    expect(await vectorSetShape(byUrl(), [dir], urls())).toMatchObject({ rows: 40, cols: 8 });
    const opened = await openVectorSetSource(byUrl(), { ...policy(), urls: urls() });
    expect(opened.key).toBe(`url:${base}/payload.json`);
    await expectTheWholeSet(opened);
  });

  it("reads a .tar.gz by URL and removes the unpacked copy after", async () => {
    const opened = await openVectorSetSource(
      { type: "vectors", archive: `${base}/set.tar.gz` },
      { ...policy(), urls: urls() },
    );
    const records = await collect(opened.records);
    expect(records).toHaveLength(40);
    expect(records[39]).toMatchObject({
      value: { ...set.payload[39], [VECTOR_SET_FIELDS.dense]: set.dense[39] },
    });
    expect(await readdir(path.join(dir, ".scratch"))).toEqual([]);
  });

  it("goes through the url source's guards: the allow-list at every hop, the size cap, the answer's status", async () => {
    const before = requests.length;
    await expect(
      vectorSetShape(byUrl(), [dir], { allowHosts: ["other.example"], maxBytes: 1000 }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not on the allow-list|URL_ALLOW_HOSTS/),
    });
    // Refused before any request.
    expect(requests.length).toBe(before);
    await expect(
      openVectorSetSource({ ...byUrl(), dense: `${base}/elsewhere.npy` }, { ...policy(), urls: urls() }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(openVectorSetSource(byUrl(), { ...policy(), urls: urls(500) })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    await expect(openVectorSetSource(byUrl(), policy())).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      vectorSetShape({ ...byUrl(), dense: `${base}/missing.npy` }, [dir], urls()),
    ).rejects.toMatchObject({ code: "UPSTREAM", message: expect.stringMatching(/answered 404/) });
    // A server in trouble is the read job's to retry: no width to check before it is queued.
    expect(await vectorSetShape({ ...byUrl(), dense: `${base}/broken.npy` }, [dir], urls())).toBeUndefined();
  });
});

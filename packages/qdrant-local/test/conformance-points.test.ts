import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, openBackend } from "./backend.js";

// Collections, points and payload operations (after Qdrant's test_collection*, test_basic_retrieve_api, test_payload_operations,
// test_delete_points, test_uuid_ops, test_sparse_idf, test_sparse_vector_validations), through the client and raw HTTP.

let backend: Backend;
const created: string[] = [];

beforeAll(async () => {
  backend = await openBackend();
});

afterAll(async () => {
  for (const name of created) await backend.raw("DELETE", `/collections/${name}`);
  expect(backend.proxy.problems).toEqual([]);
  await backend.close();
});

function fresh(prefix: string): string {
  const name = backend.name(`${prefix}_${created.length}`);
  created.push(name);
  return name;
}

describe("service", () => {
  it("GET / reports a 1.18 version the client accepts; health endpoints answer", async () => {
    const root = await backend.raw("GET", "/");
    expect(root.status).toBe(200);
    expect(root.body.title).toBe("qdrant - vector search engine");
    if (backend.local) expect(root.body.version).toMatch(/^1\.18\./);
    for (const path of ["/healthz", "/livez", "/readyz"])
      expect((await fetch(`${backend.proxy.url}${path}`)).status).toBe(200);
  });
});

describe("collections", () => {
  it("create, info, exists, list, metadata, conflict, delete", async () => {
    const name = fresh("conf_coll");
    const { client } = backend;
    expect(
      await client.createCollection(name, {
        vectors: { dense: { size: 4, distance: "Cosine" } },
        sparse_vectors: { text: { modifier: "idf" } },
      }),
    ).toBe(true);
    // The 1.18.0 client drops `metadata` from createCollection; updateCollection carries it.
    await client.updateCollection(name, { metadata: { dense_model: "m1", dim: 4 } });
    const info = await client.getCollection(name);
    expect(info.status).toBe("green");
    expect(info.points_count).toBe(0);
    expect(info.config.params.vectors).toMatchObject({ dense: { size: 4, distance: "Cosine" } });
    expect(info.config.params.sparse_vectors).toMatchObject({ text: { modifier: "idf" } });
    expect(info.config.metadata).toEqual({ dense_model: "m1", dim: 4 });
    expect((await client.collectionExists(name)).exists).toBe(true);
    expect((await client.getCollections()).collections.map((c) => c.name)).toContain(name);
    const again = await backend.raw("PUT", `/collections/${name}`, { vectors: { size: 4, distance: "Dot" } });
    expect(again.status).toBe(409);
    expect(again.body.status.error).toContain("already exists");
    expect(await client.deleteCollection(name)).toBe(true);
    expect((await client.collectionExists(name)).exists).toBe(false);
    expect((await backend.raw("DELETE", `/collections/${name}`)).body.result).toBe(false);
    const missing = await backend.raw("GET", `/collections/${name}`);
    expect(missing.status).toBe(404);
    expect(missing.body.status.error).toBe(`Not found: Collection \`${name}\` doesn't exist!`);
  });

  it("accepts and reports distribution and storage options; writes take ordering, reads consistency", async () => {
    const name = fresh("conf_layout");
    const { client } = backend;
    await client.createCollection(name, {
      vectors: { dense: { size: 2, distance: "Cosine", on_disk: true } },
      sparse_vectors: { text: { modifier: "idf", index: { on_disk: true } } },
      shard_number: 3,
      replication_factor: 2,
      write_consistency_factor: 2,
      on_disk_payload: true,
      hnsw_config: { on_disk: true },
      quantization_config: { scalar: { type: "int8", always_ram: true } },
    });
    const { config } = await client.getCollection(name);
    expect(config.params).toMatchObject({
      shard_number: 3,
      replication_factor: 2,
      write_consistency_factor: 2,
      on_disk_payload: true,
      vectors: { dense: { size: 2, on_disk: true } },
      sparse_vectors: { text: { index: { on_disk: true } } },
    });
    expect(config.hnsw_config.on_disk).toBe(true);
    expect(config.quantization_config).toMatchObject({ scalar: { type: "int8", always_ram: true } });
    const point = { id: 1, vector: { dense: [1, 0], text: { indices: [3], values: [1] } }, payload: {} };
    await client.upsert(name, { wait: true, ordering: "strong", points: [point] });
    const hits = await client.query(name, { query: [1, 0], using: "dense", consistency: "majority" });
    expect(hits.points.map((p) => p.id)).toEqual([1]);
    const badOrdering = await backend.raw(
      "PUT",
      `/collections/${name}/points?wait=true&ordering=eventual`,
      { points: [point] },
      { invalid: true },
    );
    expect(badOrdering.status).toBe(400);
    expect(badOrdering.body.status.error).toMatch(/weak.*medium.*strong/);
    const badShards = await backend.raw(
      "PUT",
      `/collections/${fresh("conf_layout_bad")}`,
      { vectors: { size: 2, distance: "Dot" }, shard_number: 0 },
      { invalid: true },
    );
    expect(badShards.status).toBe(400);
  });

  it("metadata given to PUT /collections is kept", async () => {
    const name = fresh("conf_meta");
    expect(
      (
        await backend.raw("PUT", `/collections/${name}`, {
          vectors: { size: 2, distance: "Dot" },
          metadata: { a: 1 },
        })
      ).status,
    ).toBe(200);
    expect((await backend.raw("GET", `/collections/${name}`)).body.result.config.metadata).toEqual({ a: 1 });
  });

  it("rejects bad vector params with Qdrant's errors", async () => {
    const name = fresh("conf_badparams");
    const tooBig = await backend.raw("PUT", `/collections/${name}`, {
      vectors: { size: 65537, distance: "Dot" },
    });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.status.error).toBe(
      "Validation error in JSON body: [vectors.size: value 65537 invalid, must be from 1 to 65536]",
    );
    const badDistance = await backend.raw(
      "PUT",
      `/collections/${name}`,
      { vectors: { size: 2, distance: "Cos" } },
      { invalid: true },
    );
    expect(badDistance.status).toBe(400);
    expect(badDistance.body.status.error).toMatch(/^Format error in JSON body/);
  });
});

describe("points", () => {
  let name: string;
  beforeAll(async () => {
    name = fresh("conf_points");
    await backend.raw("PUT", `/collections/${name}`, {
      vectors: { dense: { size: 3, distance: "Cosine" }, euclid: { size: 2, distance: "Euclid" } },
      sparse_vectors: { text: {} },
    });
  });

  it("upserts in list and batch form, retrieves, normalises Cosine vectors, counts", async () => {
    const { client } = backend;
    const r1 = await client.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: { dense: [3, 0, 4], euclid: [0, 0] }, payload: { a: 1, tags: ["x", "y"] } },
        {
          id: "6f0f5fd2-2ab2-4a3d-9c1b-1a2b3c4d5e6f",
          vector: { dense: [0, 1, 0], text: { indices: [7, 3], values: [0.5, 1] } },
        },
      ],
    });
    expect(r1.status).toBe("completed");
    const r2 = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
      batch: {
        ids: [2, 3],
        vectors: {
          dense: [
            [1, 0, 0],
            [0, 0, 2],
          ],
          euclid: [
            [3, 4],
            [1, 1],
          ],
        },
        payloads: [{ a: 2 }, { a: 3 }],
      },
    });
    expect(r2.status).toBe(200);
    const got = await client.retrieve(name, {
      ids: [1, "6F0F5FD22AB24A3D9C1B1A2B3C4D5E6F"],
      with_vector: true,
      with_payload: true,
    });
    expect(got.map((p) => p.id)).toEqual([1, "6f0f5fd2-2ab2-4a3d-9c1b-1a2b3c4d5e6f"]);
    const v = got[0]?.vector as { dense: number[] };
    expect(v.dense[0]).toBeCloseTo(0.6, 6);
    expect(v.dense[2]).toBeCloseTo(0.8, 6);
    expect(got[0]?.payload).toEqual({ a: 1, tags: ["x", "y"] });
    expect((await client.count(name, { exact: true })).count).toBe(4);
    const one = await backend.raw("GET", `/collections/${name}/points/2`);
    expect(one.body.result).toMatchObject({ id: 2, payload: { a: 2 } });
    expect((await backend.raw("GET", `/collections/${name}/points/999`)).status).toBe(404);
  });

  it("orders numeric ids before UUIDs in scroll", async () => {
    const page = await backend.client.scroll(name, { limit: 10, with_payload: false });
    expect(page.points.map((p) => p.id)).toEqual([1, 2, 3, "6f0f5fd2-2ab2-4a3d-9c1b-1a2b3c4d5e6f"]);
  });

  it("Euclid scores are distances, smallest first", async () => {
    const r = await backend.client.query(name, { query: [0, 0], using: "euclid", limit: 3 });
    expect(r.points.map((p) => p.id)).toEqual([1, 3, 2]);
    expect(r.points.map((p) => p.score)).toEqual([0, expect.closeTo(Math.SQRT2, 5), 5]);
  });

  it("rejects wrong dimensions, unknown names and malformed sparse vectors with Qdrant's messages", async () => {
    const dim = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
      points: [{ id: 9, vector: { dense: [1, 2] } }],
    });
    expect(dim.status).toBe(400);
    expect(dim.body.status.error).toBe("Wrong input: Vector dimension error: expected dim: 3, got 2");
    const unknown = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
      points: [{ id: 9, vector: { nope: [1, 2, 3] } }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.status.error).toBe("Wrong input: Not existing vector name error: nope");
    const lengths = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
      points: [{ id: 9, vector: { text: { indices: [100, 500], values: [0.9, 0.8, 0.5] } } }],
    });
    expect(lengths.status).toBe(422);
    expect(lengths.body.status.error).toContain(
      "points[0].vector.?.values: Validation error: must be the same length as indices [{}]",
    );
    const dup = await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
      points: [{ id: 9, vector: { text: { indices: [100, 500, 500], values: [0.9, 0.8, 0.5] } } }],
    });
    expect(dup.status).toBe(422);
    expect(dup.body.status.error).toContain(
      "points[0].vector.?.indices: Validation error: must be unique [{}]",
    );
    const badId = await backend.raw(
      "PUT",
      `/collections/${name}/points?wait=true`,
      { points: [{ id: -1, vector: { dense: [1, 2, 3] } }] },
      { invalid: true },
    );
    expect(badId.status).toBe(400);
    expect((await backend.client.count(name, { exact: true })).count).toBe(4);
  });

  it("set, overwrite, delete and clear payload, by ids and by filter, with nested keys", async () => {
    const { client } = backend;
    await client.setPayload(name, { points: [2, 3], payload: { color: "red", meta: { x: 1 } }, wait: true });
    await client.setPayload(name, { points: [2], payload: { y: 2 }, key: "meta", wait: true });
    let p = await client.retrieve(name, { ids: [2, 3] });
    expect(p[0]?.payload).toEqual({ a: 2, color: "red", meta: { x: 1, y: 2 } });
    await client.deletePayload(name, { points: [2], keys: ["meta.x", "a"], wait: true });
    p = await client.retrieve(name, { ids: [2] });
    expect(p[0]?.payload).toEqual({ color: "red", meta: { y: 2 } });
    await client.overwritePayload(name, {
      filter: { must: [{ key: "color", match: { value: "red" } }] },
      payload: { only: true },
      wait: true,
    });
    p = await client.retrieve(name, { ids: [2, 3] });
    expect(p.map((x) => x.payload)).toEqual([{ only: true }, { only: true }]);
    await client.clearPayload(name, { points: [3], wait: true });
    p = await client.retrieve(name, { ids: [3] });
    expect(p[0]?.payload).toEqual({});
    const missing = await backend.raw("POST", `/collections/${name}/points/payload?wait=true`, {
      points: [424242],
      payload: { a: 1 },
    });
    expect(missing.status).toBe(404);
  });

  it("with_payload include/exclude and with_vector by name", async () => {
    const [p] = await backend.client.retrieve(name, {
      ids: [1],
      with_payload: { include: ["tags"] },
      with_vector: ["euclid"],
    });
    expect(p?.payload).toEqual({ tags: ["x", "y"] });
    expect(p?.vector).toEqual({ euclid: [0, 0] });
    const [q] = await backend.client.retrieve(name, { ids: [1], with_payload: { exclude: ["tags"] } });
    expect(q?.payload).toEqual({ a: 1 });
  });

  it("deletes by ids and by filter", async () => {
    const { client } = backend;
    await client.delete(name, { points: [3], wait: true });
    await client.delete(name, { filter: { must: [{ key: "a", match: { value: 1 } }] }, wait: true });
    const left = await client.scroll(name, { limit: 10 });
    expect(left.points.map((x) => x.id)).toEqual([2, "6f0f5fd2-2ab2-4a3d-9c1b-1a2b3c4d5e6f"]);
    expect((await client.getCollection(name)).points_count).toBe(2);
  });

  it("a batch of update operations applies in order", async () => {
    const r = await backend.client.batchUpdate(name, {
      wait: true,
      operations: [
        { upsert: { points: [{ id: 50, vector: { dense: [1, 1, 1] }, payload: { k: 1 } }] } },
        { set_payload: { points: [50], payload: { k: 2 } } },
        { delete: { points: [2] } },
      ],
    });
    expect(r).toHaveLength(3);
    const p = await backend.client.retrieve(name, { ids: [2, 50] });
    expect(p.map((x) => [x.id, x.payload])).toEqual([[50, { k: 2 }]]);
  });
});

describe("sparse vectors with IDF (test_sparse_idf.py)", () => {
  const TEXTS = [
    "I must not fear. Fear is the mind-killer.",
    "All animals are equal, but some animals are more equal than others.",
    "It was a pleasure to burn.",
    "The sky above the port was the color of television, tuned to a dead channel.",
    "In the beginning, the universe was created.",
    "War is peace. Freedom is slavery. Ignorance is strength.",
    "I was a thousand times more evil than thou!",
    "The a an and or but",
    "A an the",
    "I am you are he she it we they",
    "Is are was were",
    "I am is not the you are",
    "I is not the you are",
  ];
  /** A stable word index (FNV-1a), where the Qdrant test uses Python's hash(). */
  const indexOf = (word: string) => {
    let h = 0x811c9dc5;
    for (const c of word) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return h % 1_000_000;
  };
  const vectorOf = (text: string) => {
    const words = [
      ...new Set(
        text
          .toLowerCase()
          .replace(/[.,!;]/g, "")
          .split(" "),
      ),
    ];
    return { indices: words.map(indexOf), values: words.map(() => 1) };
  };

  it("IDF ranks the rare word first; switching the modifier to none changes the ranking", async () => {
    const name = fresh("conf_idf");
    await backend.raw("PUT", `/collections/${name}`, { sparse_vectors: { text: { modifier: "idf" } } });
    const points = TEXTS.map((text, id) => ({ id, vector: { text: vectorOf(text) }, payload: { text } }));
    expect((await backend.raw("PUT", `/collections/${name}/points?wait=true`, { points })).status).toBe(200);
    const q = { vector: { name: "text", vector: vectorOf("i is not television channel") }, limit: 2 };
    const withIdf = await backend.raw("POST", `/collections/${name}/points/search`, q);
    expect(withIdf.body.result).toHaveLength(2);
    expect(withIdf.body.result[0].id).toBe(3);
    const patched = await backend.raw("PATCH", `/collections/${name}`, {
      sparse_vectors: { text: { modifier: "none" } },
    });
    expect(patched.status).toBe(200);
    const without = await backend.raw("POST", `/collections/${name}/points/search`, q);
    expect(without.body.result[0].id).not.toBe(3);
  });

  it("IDF weights follow ln((N - df + 0.5) / (df + 0.5) + 1)", async () => {
    const name = fresh("conf_idf_exact");
    await backend.raw("PUT", `/collections/${name}`, { sparse_vectors: { s: { modifier: "idf" } } });
    await backend.raw("PUT", `/collections/${name}/points?wait=true`, {
      points: [
        { id: 1, vector: { s: { indices: [1, 2], values: [1, 2] } } },
        { id: 2, vector: { s: { indices: [1], values: [1] } } },
        { id: 3, vector: { s: { indices: [3], values: [1] } } },
        { id: 4, vector: { s: { indices: [], values: [] } } },
      ],
    });
    const r = await backend.client.query(name, { query: { indices: [1, 2], values: [1, 1] }, using: "s" });
    const idf = (df: number) => Math.log((3 - df + 0.5) / (df + 0.5) + 1);
    expect(r.points.map((p) => p.id)).toEqual([1, 2]);
    expect(r.points[0]?.score).toBeCloseTo(idf(2) * 1 + idf(1) * 2, 5);
    expect(r.points[1]?.score).toBeCloseTo(idf(2), 5);
  });
});

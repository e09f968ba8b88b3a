import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, createBasicCollection, openBackend } from "./backend.js";

// Filter cases after Qdrant's tests/openapi test_filter*.py, test_match_any_empty.py, test_match_except_empty.py and
// test_nested_payload_query.py (own data of the same structure), checked through scroll, count and query.

let backend: Backend;
let basic: string;
let nested: string;
let small: string;

const NESTED_POINTS = [
  {
    id: 1,
    vector: [1, 0],
    payload: {
      country: {
        name: "Germany",
        capital: "Berlin",
        cities: [
          { name: "Berlin", population: 3.7, sightseeing: ["Brandenburg Gate", "Reichstag"] },
          { name: "Munich", population: 1.5, sightseeing: ["Marienplatz"] },
        ],
      },
    },
  },
  {
    id: 2,
    vector: [0, 1],
    payload: {
      country: {
        name: "Japan",
        capital: "Tokyo",
        cities: [{ name: "Tokyo", population: 9.3, sightseeing: ["Tokyo Tower", "Senso-ji"] }],
      },
    },
  },
  {
    id: 3,
    vector: [1, 1],
    payload: {
      country: {
        name: "England",
        capital: "London",
        cities: [{ name: "London", population: 8.9, sightseeing: ["Big Ben", "London Eye", "Tower Bridge"] }],
      },
    },
  },
  {
    id: 4,
    vector: [1, 2],
    payload: {
      country: {
        name: "France",
        capital: "Paris",
        cities: [
          {
            name: "Paris",
            population: 2.1,
            sightseeing: ["Eiffel Tower", "Louvre", "Notre-Dame", "Arc de Triomphe"],
          },
          { name: "Lyon", population: 0.5, sightseeing: ["Fourviere"] },
        ],
      },
    },
  },
  {
    id: 5,
    vector: [2, 1],
    payload: { country: { name: "Nauru", cities: [{ name: null, population: 0.01, sightseeing: [] }] } },
  },
];

beforeAll(async () => {
  backend = await openBackend();
  basic = backend.name("conf_filter_basic");
  nested = backend.name("conf_filter_nested");
  small = backend.name("conf_filter_small");
  await createBasicCollection(backend, basic);
  for (const [name, points] of [
    [nested, NESTED_POINTS],
    [
      small,
      [
        {
          id: 1,
          vector: [1, 0],
          payload: { n: 1, tag: "a", uid: "550e8400-e29b-41d4-a716-446655440001", ok: true },
        },
        {
          id: 2,
          vector: [0, 1],
          payload: { n: 2, tag: "b", uid: "550e8400-e29b-41d4-a716-446655440002", ok: false },
        },
        {
          id: 3,
          vector: [1, 1],
          payload: {
            n: 3,
            tag: "c",
            uid: "550e8400-e29b-41d4-a716-446655440003",
            text: "the quick brown fox",
          },
        },
      ],
    ],
  ] as const) {
    await backend.raw("DELETE", `/collections/${name}`);
    expect(
      (await backend.raw("PUT", `/collections/${name}`, { vectors: { size: 2, distance: "Dot" } })).status,
    ).toBe(200);
    expect((await backend.raw("PUT", `/collections/${name}/points?wait=true`, { points })).status).toBe(200);
  }
});

afterAll(async () => {
  for (const name of [basic, nested, small]) await backend.raw("DELETE", `/collections/${name}`);
  expect(backend.proxy.problems).toEqual([]);
  await backend.close();
});

async function ids(collection: string, filter: unknown): Promise<Array<number | string>> {
  const r = await backend.raw("POST", `/collections/${collection}/points/scroll`, {
    filter,
    limit: 100,
    with_payload: true,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const found = r.body.result.points.map((p: { id: number }) => p.id);
  const counted = await backend.raw("POST", `/collections/${collection}/points/count`, {
    filter,
    exact: true,
  });
  expect(counted.body.result.count).toBe(found.length);
  return found;
}

describe("field conditions on the basic collection", () => {
  const cases: Array<[string, unknown, number[]]> = [
    ["match value", { must: [{ key: "city", match: { value: "London" } }] }, [2, 4]],
    ["match any", { must: [{ key: "city", match: { any: ["Moscow", "London"] } }] }, [2, 3, 4]],
    [
      "match except (any element outside the list)",
      { must: [{ key: "city", match: { except: ["Berlin"] } }] },
      [2, 3, 4],
    ],
    ["match integer value", { must: [{ key: "count", match: { value: 0 } }] }, [5]],
    ["range gte", { must: [{ key: "price", range: { gte: 9.5 } }] }, [1, 2, 3]],
    ["range lt", { must: [{ key: "price", range: { lt: 9.5 } }] }, [4]],
    ["is_empty: missing, null or []", { must: [{ is_empty: { key: "city" } }] }, [5, 6, 7, 8, 9, 10]],
    ["is_null: explicit null only", { must: [{ is_null: { key: "city" } }] }, [7]],
    ["must_not is_empty", { must_not: [{ is_empty: { key: "city" } }] }, [1, 2, 3, 4]],
    [
      "must_not on a missing key holds",
      { must_not: [{ key: "city", match: { value: "Berlin" } }] },
      [4, 5, 6, 7, 8, 9, 10],
    ],
    ["has_id", { must: [{ has_id: [1, 3, 100] }] }, [1, 3]],
    ["has_vector", { must: [{ has_vector: "sparse-text" }] }, [9, 10]],
    [
      "should (any)",
      {
        should: [
          { key: "city", match: { value: "London" } },
          { key: "count", match: { value: 0 } },
        ],
      },
      [2, 4, 5],
    ],
    [
      "min_should",
      {
        min_should: {
          conditions: [
            { key: "city", match: { value: "London" } },
            { key: "city", match: { value: "Moscow" } },
            { key: "price", range: { gt: 9 } },
          ],
          min_count: 2,
        },
      },
      [2, 3, 4],
    ],
    [
      "nested clauses",
      {
        must: [{ should: [{ key: "city", match: { value: "Moscow" } }, { has_id: [1] }] }],
        must_not: [{ has_id: [4] }],
      },
      [1, 3],
    ],
    ["single condition instead of a list", { must: { key: "city", match: { value: "London" } } }, [2, 4]],
  ];
  for (const [label, filter, expected] of cases) {
    it(label, async () => {
      expect(await ids(basic, filter)).toEqual(expected);
    });
  }
});

describe("match any / except with empty lists (test_match_any_empty.py, test_match_except_empty.py)", () => {
  for (const indexed of [false, true]) {
    it(`any: [] matches nothing and except: [] every point with the field${indexed ? " (indexed)" : ""}`, async () => {
      if (indexed) {
        for (const [field, schema] of [
          ["n", "integer"],
          ["tag", "keyword"],
          ["uid", "uuid"],
        ]) {
          const r = await backend.raw("PUT", `/collections/${small}/index?wait=true`, {
            field_name: field,
            field_schema: schema,
          });
          expect(r.status).toBe(200);
        }
      }
      for (const key of ["n", "tag", "uid"]) {
        expect(await ids(small, { must: [{ key, match: { any: [] } }] })).toEqual([]);
        expect(await ids(small, { must_not: [{ key, match: { any: [] } }] })).toEqual([1, 2, 3]);
      }
      for (const key of ["n", "tag"])
        expect(await ids(small, { must: [{ key, match: { except: [] } }] })).toEqual([1, 2, 3]);
      expect(await ids(small, { must: [{ key: "n", match: { any: [1, 2] } }] })).toEqual([1, 2]);
      expect(await ids(small, { must: [{ key: "tag", match: { any: ["a", "b"] } }] })).toEqual([1, 2]);
      expect(await ids(small, { must: [{ key: "ok", match: { value: false } }] })).toEqual([2]);
    });
  }

  it("matches UUID payload values by value, any and except (test_query_full.py uuid filters)", async () => {
    const u = (n: number) => `550e8400-e29b-41d4-a716-44665544000${n}`;
    expect(await ids(small, { must: [{ key: "uid", match: { value: u(1) } }] })).toEqual([1]);
    expect(await ids(small, { must: [{ key: "uid", match: { any: [u(1), u(2)] } }] })).toEqual([1, 2]);
    expect(await ids(small, { must: [{ key: "uid", match: { except: [u(1), u(2)] } }] })).toEqual([3]);
    expect(await ids(small, { must_not: [{ key: "uid", match: { value: u(1) } }] })).toEqual([2, 3]);
  });

  // Found by the differential test (test/differential.test.ts): Qdrant's engine tokenizes even without a full-text
  // index (lowercase words, every other character splits), so "quick bro" is no longer a substring match.
  it("match text without a full-text index matches all words, not a substring", async () => {
    expect(await ids(small, { must: [{ key: "text", match: { text: "brown QUICK" } }] })).toEqual([3]);
    expect(await ids(small, { must: [{ key: "text", match: { text: "quick bro" } }] })).toEqual([]);
    expect(await ids(small, { must: [{ key: "text", match: { text: "slow" } }] })).toEqual([]);
    expect(await ids(small, { must: [{ key: "text", match: { phrase: "quick brown" } }] })).toEqual([3]);
    expect(await ids(small, { must: [{ key: "text", match: { phrase: "brown quick" } }] })).toEqual([]);
  });
});

describe("nested payloads (test_nested_payload_query.py)", () => {
  const nestedFilter = (filter: unknown, key = "country.cities") => ({ must: [{ nested: { key, filter } }] });
  it("nested with an explicit and an implicit array key", async () => {
    const f = { must: [{ key: "population", range: { gte: 9.0 } }] };
    expect(await ids(nested, nestedFilter(f, "country.cities[]"))).toEqual([2]);
    expect(await ids(nested, nestedFilter(f))).toEqual([2]);
  });

  it("conditions hold on one element, not across elements", async () => {
    const cases: Array<[filter: unknown, expected: number[]]> = [
      [{ must: [{ must: [{ key: "sightseeing", values_count: { gt: 3 } }] }] }, [4]],
      [
        {
          must: [{ key: "population", range: { gte: 9.0 } }],
          must_not: [{ key: "sightseeing", values_count: { gt: 1 } }],
        },
        [],
      ],
      [
        {
          must: [
            { key: "population", range: { gte: 8.0 } },
            { key: "sightseeing", values_count: { gt: 2 } },
          ],
        },
        [3],
      ],
      [
        {
          must: [
            { key: "population", range: { gte: 8.0 } },
            { key: "sightseeing", values_count: { lt: 3 } },
          ],
        },
        [2],
      ],
    ];
    for (const [filter, expected] of cases) {
      expect(await ids(nested, nestedFilter(filter)), JSON.stringify(filter)).toEqual(expected);
    }
  });

  it("must_not and is_null inside nested", async () => {
    expect(
      await ids(
        nested,
        nestedFilter({ must_not: [{ key: "population", range: { lt: 8.0 } }, { is_null: { key: "name" } }] }),
      ),
    ).toEqual([2, 3]);
    expect(await ids(nested, nestedFilter({ must: [{ is_null: { key: "name" } }] }))).toEqual([5]);
  });

  it("flat key paths with [] and [n]", async () => {
    expect(await ids(nested, { must: [{ key: "country.cities[].population", range: { gte: 9 } }] })).toEqual([
      2,
    ]);
    expect(
      await ids(nested, { must: [{ key: "country.cities[].sightseeing", match: { value: "Louvre" } }] }),
    ).toEqual([4]);
    expect(
      await ids(nested, { must: [{ key: "country.cities[0].name", match: { value: "Paris" } }] }),
    ).toEqual([4]);
    expect(
      await ids(nested, { must: [{ key: "country.cities[1].name", match: { value: "Paris" } }] }),
    ).toEqual([]);
    expect(await ids(nested, { must: [{ key: "country.capital", match: { value: "Tokyo" } }] })).toEqual([2]);
  });

  it("payload indexes on nested paths are recorded with their point counts", async () => {
    for (const [field, schema] of [
      ["country.capital", "keyword"],
      ["country.cities[].population", "float"],
    ]) {
      expect(
        (
          await backend.raw("PUT", `/collections/${nested}/index?wait=true`, {
            field_name: field,
            field_schema: schema,
          })
        ).status,
      ).toBe(200);
    }
    const info = await backend.raw("GET", `/collections/${nested}`);
    expect(info.body.result.payload_schema["country.capital"]).toMatchObject({
      data_type: "keyword",
      points: 4,
    });
    expect(info.body.result.payload_schema["country.cities[].population"]).toMatchObject({
      data_type: "float",
      points: 5,
    });
  });
});

describe("filters in queries and invalid filters", () => {
  it("a filtered dense query only returns matching points", async () => {
    const r = await backend.raw("POST", `/collections/${basic}/points/query`, {
      query: [0.2, 0.1, 0.9, 0.7],
      filter: { should: [{ key: "city", match: { value: "London" } }] },
      limit: 3,
    });
    expect(r.body.result.points.map((p: { id: number }) => p.id)).toEqual([4, 2]);
  });

  it("a malformed condition is a 400 naming where it is", async () => {
    const bad = await backend.raw(
      "POST",
      `/collections/${basic}/points/scroll`,
      { filter: { must: [{ nope: 1 }] } },
      { invalid: true },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.status.error).toMatch(/Format error in JSON body/);
    if (backend.local) expect(bad.body.status.error).toContain("filter.must[0]");
    const badMatch = await backend.raw(
      "POST",
      `/collections/${basic}/points/count`,
      { filter: { must: [{ key: "city", match: { value: [1] } }] } },
      { invalid: true },
    );
    expect(badMatch.status).toBe(400);
  });

  it("the official client filters scroll and count", async () => {
    const page = await backend.client.scroll(basic, {
      filter: { must: [{ key: "city", match: { any: ["Berlin", "London"] } }] },
      limit: 2,
    });
    expect(page.points.map((p) => p.id)).toEqual([1, 2]);
    expect(page.next_page_offset).toBe(3);
    const next = await backend.client.scroll(basic, {
      filter: { must: [{ key: "city", match: { any: ["Berlin", "London"] } }] },
      limit: 2,
      offset: page.next_page_offset as number,
    });
    expect(next.points.map((p) => p.id)).toEqual([3, 4]);
    expect(next.next_page_offset ?? null).toBeNull();
    const { count } = await backend.client.count(basic, {
      filter: { must: [{ key: "price", range: { gt: 9 } }] },
      exact: true,
    });
    expect(count).toBe(3);
  });
});

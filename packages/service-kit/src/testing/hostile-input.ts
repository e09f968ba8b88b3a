import fc from "fast-check";
import { expect, it } from "vitest";

// What the services' hostile-input suites share: generated requests against a real app, where no answer may be a
// 5xx and every error has the project's shape. A fixed seed and bounded runs keep CI fast and repeatable;
// FUZZ_SEED / FUZZ_RUNS explore further.

export interface FuzzSuite {
  seed: number;
  runs: number;
  /** Per test: generous, since FUZZ_RUNS may ask for thousands of runs. */
  timeoutMs: number;
  /** A test that `property` holds for the suite's seed, over its runs or `numRuns`. */
  itHolds<Ts extends [unknown, ...unknown[]]>(
    name: string,
    property: fc.IAsyncProperty<Ts>,
    numRuns?: number,
  ): void;
}

export function fuzzSuite(defaultRuns: number): FuzzSuite {
  const seed = Number(process.env.FUZZ_SEED ?? 20_261_203);
  const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const timeoutMs = 15_000 + runs * 100;
  return {
    seed,
    runs,
    timeoutMs,
    itHolds(name, property, numRuns = runs) {
      it(name, () => fc.assert(property, { seed, numRuns }), timeoutMs);
    },
  };
}

/** No 5xx; JSON everywhere; every error `{error: {code, message, requestId}}`. Resolves to the parsed body. */
export async function expectNoServerError(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  expect(res.status, `${what} -> ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.headers.get("content-type"), what).toMatch(/^application\/json/);
  const body: unknown = JSON.parse(text);
  if (res.status >= 400) {
    expect(body, what).toMatchObject({
      error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
    });
  }
  return body;
}

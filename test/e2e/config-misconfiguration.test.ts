import type { ServiceName } from "@hybrid/stack";
import { describe, expect, it } from "vitest";
import { isListening, startService } from "../src/harness/index.js";

// Each service refuses to start on a bad environment value: non-zero exit, before listening, with one line naming the
// variable, its value and what is wrong.
const cases: Record<ServiceName, Array<{ env: Record<string, string>; line: RegExp }>> = {
  "ingest-producer": [
    { env: { PORT: "eighty" }, line: /PORT \("eighty"\): .*number/ },
    {
      env: { REDIS_URL: "localhost:6379" },
      line: /REDIS_URL \("localhost:6379"\): must start with redis:\/\//,
    },
  ],
  "embed-worker": [
    { env: { HEALTH_PORT: "-5" }, line: /HEALTH_PORT \("-5"\): .*(>=|small)/i },
    { env: { QDRANT_URL: "qdrant:6333" }, line: /QDRANT_URL \("qdrant:6333"\): must be an http\(s\) URL/ },
  ],
  "query-api": [
    { env: { PORT: "70000" }, line: /PORT \("70000"\): .*(<=|big)/i },
    { env: { SPARSE_MODEL: "bm99" }, line: /SPARSE_MODEL \("bm99"\): .*(Qdrant\/bm25|option)/i },
  ],
};

describe.each(Object.keys(cases) as ServiceName[])("%s with a bad environment value", (name) => {
  it("exits non-zero before listening, with one line naming the variable", async () => {
    const started = await Promise.all(
      (cases[name] ?? []).map(async (c) => ({ ...c, service: await startService(name, c.env) })),
    );
    for (const { env, line, service } of started) {
      const exit = await service.exited;
      const logs = service.logs();
      const what = `${name} with ${JSON.stringify(env)}:\n${logs}`;
      expect(exit.code, what).not.toBe(0);
      expect(exit.code, what).not.toBeNull();
      const matching = logs.split("\n").filter((l) => line.test(l));
      expect(matching.length, what).toBeGreaterThanOrEqual(1);
      // Only the bad variable is reported (the others are valid).
      expect(matching[0], what).toMatch(/invalid configuration: [A-Z_]+ \("[^"]*"\): [^;]+$/);
      // Just the line: no stack trace around it.
      expect(logs, what).not.toMatch(/^\s+at /m);
      expect(await isListening(service.port), what).toBe(false);
    }
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.js";
import { localModeApiKey } from "./local-mode-key.js";
import { startQdrantLocalChild } from "./qdrant-local-process.js";

describe("the local mode's API key under pnpm start", () => {
  it("is QDRANT_API_KEY when set, generated when only API_KEYS is set, absent when neither is", () => {
    expect(localModeApiKey({ QDRANT_API_KEY: "q-1", API_KEYS: "a" })).toEqual({
      key: "q-1",
      generated: false,
    });
    const generated = localModeApiKey({ API_KEYS: "a,b" });
    expect(generated.generated).toBe(true);
    expect(generated.key).toMatch(/^[\w-]{32}$/);
    expect(localModeApiKey({ API_KEYS: "a" }).key).not.toBe(generated.key);
    expect(localModeApiKey({ API_KEYS: " , " })).toEqual({ generated: false });
    expect(localModeApiKey({})).toEqual({ generated: false });
  });

  it("locks the local mode child (real process): 401 without the key, 200 with it, key not on its command line", async () => {
    const started = await startQdrantLocalChild({ port: await freePort(), apiKey: "stack-key-1" });
    try {
      expect((await fetch(`${started.url}/collections`)).status).toBe(401);
      const withKey = await fetch(`${started.url}/collections`, { headers: { "api-key": "stack-key-1" } });
      expect(withKey.status).toBe(200);
      expect(readFileSync(`/proc/${started.process.pid}/cmdline`, "utf8")).not.toContain("stack-key-1");
    } finally {
      await started.process.stop(5000);
    }
  });
});

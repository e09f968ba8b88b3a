import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createRedis } from "../connection.js";
import { LUA_SCRIPTS, luaScript, luaScriptUrl } from "./lua-scripts.js";

const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
afterAll(async () => {
  await redis.quit();
});

// No Lua linter runs here: Redis's own compiler is the check. Each script's behaviour is exercised in
// record-batch.test.ts and ingestion-progress.test.ts.
describe("the progress scripts (real Redis)", () => {
  it("are exactly the .lua files beside the loader", async () => {
    const dir = fileURLToPath(new URL(".", luaScriptUrl("x")));
    const files = (await readdir(dir)).filter((f) => f.endsWith(".lua")).map((f) => f.slice(0, -4));
    expect(files.sort()).toEqual([...LUA_SCRIPTS].sort());
  });

  it.each(LUA_SCRIPTS)("%s compiles in Redis (SCRIPT LOAD) and is the script its SHA names", async (name) => {
    const text = luaScript(name);
    const sha = String(await redis.script("LOAD", text));
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.script("EXISTS", sha)).toEqual([1]);
  });

  it("refuses a script that does not compile, so the check above can fail", async () => {
    await expect(redis.script("LOAD", "if then end")).rejects.toThrow(/Error compiling script/);
  });
});

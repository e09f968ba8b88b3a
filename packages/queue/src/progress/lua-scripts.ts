import { readFileSync } from "node:fs";

/**
 * The progress scripts, one `.lua` file each beside this module (a bundled service copies them next to its bundle,
 * see its tsup config). Read on first use, not at import time.
 */
export const LUA_SCRIPTS = ["batch-done", "batch-failed", "batch-points"] as const;
export type LuaScriptName = (typeof LUA_SCRIPTS)[number];

const loaded = new Map<LuaScriptName, string>();

/** The text of one script. */
export function luaScript(name: LuaScriptName): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(luaScriptUrl(name), "utf8");
    loaded.set(name, text);
  }
  return text;
}

/** Where a script's file is. */
export function luaScriptUrl(name: string): URL {
  return new URL(`./${name}.lua`, import.meta.url);
}

import { describe, expect, it } from "vitest";
import { liveProcesses, spawnManaged } from "./managed-process.js";
import { isAlive } from "./testing/is-alive.js";

const node = process.execPath;

describe("spawnManaged", () => {
  it("captures prefixed output and reports the exit code", async () => {
    const seen: string[] = [];
    const child = spawnManaged({
      name: "echo",
      command: node,
      args: ["-e", "console.log('hello'); console.error('oops'); process.exit(3)"],
      onLine: (line) => seen.push(line),
    });
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect(child.logs().split("\n").sort()).toEqual(["[echo] hello", "[echo] oops"]);
    expect(seen.sort()).toEqual(["[echo] hello", "[echo] oops"]);
    expect(liveProcesses()).not.toContain(child);
  });

  it("waits for a line printed later, and fails fast when the process exits without printing it", async () => {
    const child = spawnManaged({
      name: "late",
      command: node,
      args: ["-e", "setTimeout(() => console.log('ready on 1234'), 200); setTimeout(() => {}, 60000)"],
    });
    expect(await child.waitForLine(/ready on (\d+)/, 5000)).toBe("ready on 1234");
    await child.kill();
    const quitter = spawnManaged({ name: "quitter", command: node, args: ["-e", "process.exit(0)"] });
    await expect(quitter.waitForLine(/never/, 5000)).rejects.toThrow(/exited \(code 0\)/);
  });

  it("stop() sends SIGTERM, then SIGKILL to the whole group (grandchildren included) after the bound", async () => {
    // The child ignores SIGTERM and forks a grandchild that does too: only the SIGKILL after the bound ends them.
    const script = `
      process.on('SIGTERM', () => {});
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
      console.log('grandchild ' + g.pid);
      setInterval(() => {}, 1000);`;
    const child = spawnManaged({ name: "stubborn", command: node, args: ["-e", script] });
    const line = await child.waitForLine(/grandchild (\d+)/, 10_000);
    const grandchild = Number(line.split(" ")[1]);
    const started = Date.now();
    const info = await child.stop(500);
    expect(info.signal).toBe("SIGKILL");
    expect(Date.now() - started).toBeLessThan(5000);
    await expect.poll(() => isAlive(grandchild), { timeout: 5000 }).toBe(false);
  });

  it("throws a clear error when the command does not exist", () => {
    expect(() => spawnManaged({ name: "missing", command: "/nonexistent/binary", args: [] })).toThrow(
      /could not start missing/,
    );
  });
});

describe("stop()", () => {
  it("sends SIGTERM to the process only, so it can stop its own children in order, then clears its group", async () => {
    // The grandchild dies on SIGTERM; the child, on SIGTERM, asks it (over IPC) for a goodbye before exiting. A group-wide
    // SIGTERM would kill the grandchild first and the goodbye would never come.
    const script = `
      const { spawn } = require('node:child_process');
      const code = "process.on('message', () => { process.send('bye'); setTimeout(() => process.exit(0), 50); })";
      const g = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      process.on('SIGTERM', () => {
        g.send('stop');
        g.once('message', (m) => { console.log('grandchild said ' + m); process.exit(0); });
      });
      console.log('grandchild ' + g.pid);
      setInterval(() => {}, 1000);`;
    const child = spawnManaged({ name: "polite", command: node, args: ["-e", script] });
    const grandchild = Number((await child.waitForLine(/grandchild (\d+)/, 10_000)).split(" ")[1]);
    const info = await child.stop(5000);
    expect(info).toEqual({ code: 0, signal: null });
    expect(child.logs()).toContain("grandchild said bye");
    await expect.poll(() => isAlive(grandchild), { timeout: 5000 }).toBe(false);
  });
});

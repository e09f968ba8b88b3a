import { afterEach, describe, expect, it } from "vitest";
import { type ExitInfo, liveProcesses, type ManagedProcess, spawnManaged } from "./managed-process.js";
import { type Supervised, supervise as superviseChild } from "./supervise.js";
import { isAlive } from "./testing/is-alive.js";

const node = process.execPath;
const longRunning = (name: string) =>
  spawnManaged({ name, command: node, args: ["-e", "setInterval(() => {}, 1000)"] });
const crashing = (name: string) => spawnManaged({ name, command: node, args: ["-e", "process.exit(7)"] });
// Every supervised child is stopped after its test, passed or not, so none outlives the run.
const running: Supervised[] = [];
const supervise = (...args: Parameters<typeof superviseChild>) => {
  const child = superviseChild(...args);
  running.push(child);
  return child;
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => child.stop(2000)));
});
const policy = { initialDelayMs: 50, maxDelayMs: 150, maxCrashes: 3, windowMs: 60_000 };

describe("supervise (real child processes)", () => {
  it("restarts a SIGKILLed child after the backoff, then stop() ends it for good", async () => {
    const lines: string[] = [];
    const restarted: ManagedProcess[] = [];
    // The first child forks a grandchild (as a worker forks its ONNX runner); it must not outlive the crash.
    const first = spawnManaged({
      name: "svc",
      command: node,
      args: [
        "-e",
        `const g = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
         console.log('grandchild ' + g.pid); setInterval(() => {}, 1000);`,
      ],
    });
    const grandchild = Number((await first.waitForLine(/grandchild \d+/, 5000)).split(" ")[1]);
    const child = supervise(first, {
      name: "svc",
      restart: async () => longRunning("svc"),
      ready: async () => undefined,
      policy,
      log: (line) => lines.push(line),
      onRestart: (next) => restarted.push(next),
      onGiveUp: () => expect.fail("gave up on a child that crashed once"),
    });
    process.kill(first.pid, "SIGKILL");
    await expect.poll(() => restarted.length, { timeout: 5000 }).toBe(1);
    await expect.poll(() => isAlive(grandchild), { timeout: 2000 }).toBe(false);
    const second = child.current();
    expect(second.pid).not.toBe(first.pid);
    expect(second.hasExited()).toBe(false);
    expect(child.crashes()).toBe(1);
    expect(lines[0]).toBe(
      "svc exited unexpectedly (signal SIGKILL); restarting in 50 ms (crash 1 of at most 3 within 60 s)",
    );
    expect(lines[1]).toBe(`svc restarted (pid ${second.pid})`);
    await expect.poll(() => lines.at(-1), { timeout: 5000 }).toBe("svc ready again");

    await child.stop(2000);
    expect(second.hasExited()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(liveProcesses().filter((p) => p.name === "svc")).toEqual([]);
  });

  it("doubles the delay up to its cap, and gives up (naming the child) on one crash too many", async () => {
    const lines: string[] = [];
    const gaveUp: Array<{ message: string; last: ExitInfo }> = [];
    let starts = 0;
    supervise(crashing("loop"), {
      name: "loop",
      restart: async () => {
        starts += 1;
        return crashing("loop");
      },
      policy,
      log: (line) => lines.push(line),
      onGiveUp: (message, last) => gaveUp.push({ message, last }),
    });
    await expect.poll(() => gaveUp.length, { timeout: 10_000 }).toBe(1);
    expect(gaveUp[0]).toEqual({
      message: "loop crashed 4 times within 60 s (last: code 7): giving up on it",
      last: { code: 7, signal: null },
    });
    expect(lines.filter((l) => l.includes("restarting in")).map((l) => /in (\d+) ms/.exec(l)?.[1])).toEqual([
      "50",
      "100",
      "150",
    ]);
    expect(starts).toBe(3);
    // Given up: nothing starts it again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(starts).toBe(3);
  });

  it("forgets crashes older than the window", async () => {
    const lines: string[] = [];
    const first = longRunning("flaky");
    const child = supervise(first, {
      name: "flaky",
      restart: async () => longRunning("flaky"),
      policy: { ...policy, maxCrashes: 1, windowMs: 300 },
      log: (line) => lines.push(line),
      onGiveUp: () => expect.fail("crashes a window apart are not a crash loop"),
    });
    await first.kill();
    await expect.poll(() => child.current() !== first, { timeout: 5000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = child.current();
    await second.kill();
    await expect.poll(() => child.current() !== second, { timeout: 5000 }).toBe(true);
    expect(lines.filter((l) => l.includes("(crash 1 of at most 1 within 300 ms)"))).toHaveLength(2);
    await child.stop(2000);
  });
});

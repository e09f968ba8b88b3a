import { killAllSync, liveProcesses } from "@hybrid/stack";
import { afterAll } from "vitest";
import { cleanupFileScoped } from "./cleanup.js";

// Runs after each test file's own afterAll hooks: stop what beforeAll started, then make sure no child survives the file.
afterAll(async () => {
  await cleanupFileScoped();
  const left = liveProcesses();
  if (left.length > 0) {
    killAllSync();
    await Promise.all(left.map((p) => p.exited));
  }
});

import type { ExitInfo, ManagedProcess } from "@hybrid/stack";
import { track } from "./cleanup.js";

/** A child that a test can stop, kill and start again on the same port and data; `process` follows restarts. */
export interface Restartable {
  readonly process: ManagedProcess;
  readonly pid: number;
  /** SIGTERM and wait. */
  stop(): Promise<ExitInfo>;
  /** SIGKILL and wait. */
  kill(): Promise<ExitInfo>;
  /** Starts it again (stopping it first if it is running) and waits until it answers. */
  restart(): Promise<void>;
}

/** Launches a child with `launch`, relaunches it on `restart()`, and kills whichever is current when the test ends. */
export async function startRestartable(
  label: string,
  launch: () => Promise<ManagedProcess>,
): Promise<Restartable> {
  let current = await launch();
  track({ label, cleanup: async () => void (await current.kill()), logs: () => current.logs() });
  return {
    get process() {
      return current;
    },
    get pid() {
      return current.pid;
    },
    stop: () => current.stop(10_000),
    kill: () => current.kill(),
    async restart() {
      if (!current.hasExited()) await current.stop(10_000);
      current = await launch();
    },
  };
}

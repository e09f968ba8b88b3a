import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnManagedOptions {
  /** Short name used as the log prefix, e.g. `embed-worker-1`. */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Called with every output line, already prefixed (`[name] ...`). Lines are also kept for `logs()`. */
  onLine?: (prefixed: string, raw: string) => void;
  /** ANSI colour code (e.g. 36 for cyan) for the prefix given to `onLine`; none when omitted. */
  color?: number;
  /** Lines kept in memory for `logs()` (the oldest are dropped). */
  keepLines?: number;
}

/** A child process in its own process group, so signals reach it (and anything it forks) and nothing else. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  hasExited(): boolean;
  /** Captured stdout + stderr, one `[name] line` per line. */
  logs(): string;
  /** Resolves with the first output line (past or future) matching `pattern`; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /**
   * SIGTERM to the process itself (it shuts down its own children in order), then SIGKILL to the whole group if it has not
   * exited within `timeoutMs`; once it has exited, anything left in its group is SIGKILLed too.
   */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL to the process group; resolves once it has exited. */
  kill(): Promise<ExitInfo>;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

/** Every managed process that has not exited yet (tests use it to prove nothing is left over). */
export function liveProcesses(): ManagedProcess[] {
  return [...live];
}

/** SIGKILLs every live managed process group; synchronous so it can run from a `process.on("exit")` hook. */
export function killAllSync(): void {
  for (const child of live) killGroup(child.pid, "SIGKILL");
}

/** Starts `command` detached into its own process group with piped output; see `ManagedProcess`. */
export function spawnManaged(options: SpawnManagedOptions): ManagedProcess {
  installExitHook();
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv | undefined,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (child.pid === undefined) {
    child.once("error", () => {});
    throw new Error(`could not start ${options.name}: ${options.command} (${describeSpawnFailure(child)})`);
  }
  return manage(child, child.pid, options);
}

function manage(child: ChildProcess, pid: number, options: SpawnManagedOptions): ManagedProcess {
  const keep = options.keepLines ?? 5000;
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const prefix =
    options.color === undefined ? `[${options.name}]` : `\x1b[${options.color}m[${options.name}]\x1b[0m`;
  let exitInfo: ExitInfo | undefined;

  const onLine = (raw: string) => {
    const line = `[${options.name}] ${raw}`;
    lines.push(line);
    if (lines.length > keep) lines.shift();
    options.onLine?.(`${prefix} ${raw}`, raw);
    for (const waiter of waiters) {
      if (waiter.pattern.test(raw)) {
        waiters.delete(waiter);
        waiter.resolve(raw);
      }
    }
  };
  const streamsClosed = [child.stdout, child.stderr].map((stream) => {
    if (!stream) return Promise.resolve();
    const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    reader.on("line", onLine);
    return new Promise<void>((resolve) => reader.once("close", resolve));
  });

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      live.delete(handle);
      // Output written just before exit is still in the pipes: wait for it (bounded) so logs() is complete.
      const drained = Promise.all(streamsClosed);
      const bound = new Promise((r) => setTimeout(r, 500).unref());
      void Promise.race([drained, bound]).then(() => resolve({ code, signal }));
    });
    child.once("error", (error) => {
      onLine(`spawn error: ${error.message}`);
      if (exitInfo) return;
      exitInfo = { code: -1, signal: null };
      live.delete(handle);
      resolve(exitInfo);
    });
  });

  const handle: ManagedProcess = {
    name: options.name,
    pid,
    exited,
    hasExited: () => exitInfo !== undefined,
    logs: () => lines.join("\n"),
    waitForLine(pattern, timeoutMs = 60_000) {
      const seen = lines.find((line) => pattern.test(line.slice(options.name.length + 3)));
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const waiter = { pattern, resolve: (line: string) => finish(() => resolve(line)) };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`${options.name}: no line matching ${pattern} in ${timeoutMs} ms`)),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          settle();
        };
        waiters.add(waiter);
        void exited.then((info) =>
          finish(() =>
            reject(new Error(`${options.name} exited (${describeExit(info)}) before printing ${pattern}`)),
          ),
        );
      });
    },
    signal(signal) {
      if (!exitInfo) killGroup(pid, signal);
    },
    async stop(timeoutMs = 10_000) {
      if (exitInfo) return exitInfo;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), timeoutMs);
      const info = await exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing it forked is left in its group.
      killGroup(pid, "SIGKILL");
      return info;
    },
    async kill() {
      killGroup(pid, "SIGKILL");
      return exited;
    },
  };
  live.add(handle);
  return handle;
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `code ${info.code}`;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function describeSpawnFailure(child: ChildProcess): string {
  return child.exitCode === null ? "no pid" : `exit ${child.exitCode}`;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence against orphans: whatever way this process ends (normal exit, uncaught error), its children go too.
  process.on("exit", killAllSync);
}

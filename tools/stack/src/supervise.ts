import { describeExit, type ExitInfo, type ManagedProcess } from "./managed-process.js";

/** When and how often a crashed child is started again. */
export interface RestartPolicy {
  /** Delay before the first restart; doubles with each further crash within `windowMs`. */
  initialDelayMs: number;
  /** Cap of the doubling delay. */
  maxDelayMs: number;
  /** More crashes than this within `windowMs` and the child is given up on. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  windowMs: 60_000,
};

export interface SuperviseOptions {
  name: string;
  /** Starts the child again (same command, port and data), resolving once it is running. */
  restart: () => Promise<ManagedProcess>;
  /** Resolves once a restarted child serves again; only used for the log line that says so. */
  ready?: (child: ManagedProcess) => Promise<unknown>;
  policy?: RestartPolicy;
  log: (line: string) => void;
  /** Called after each restart with the new process (the stack keeps its pid list current). */
  onRestart?: (child: ManagedProcess) => void;
  /** Called once when the child keeps crashing; it is not restarted again. `message` names it and says why. */
  onGiveUp: (message: string, last: ExitInfo) => void;
}

/** A child kept running: restarted after each crash with capped exponential backoff until it crashes too often. */
export interface Supervised {
  readonly name: string;
  current(): ManagedProcess;
  /** Crashes within the current window. */
  crashes(): number;
  /** Ends supervision (a pending restart is cancelled) and stops the child: SIGTERM, SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

export function supervise(first: ManagedProcess, options: SuperviseOptions): Supervised {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  let child = first;
  let stopping = false;
  let crashTimes: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;

  const onExit = (info: ExitInfo, crashed?: ManagedProcess) => {
    if (stopping) return;
    // Whatever the crashed child forked (an ONNX runner, say) goes with it before a new one starts.
    void crashed?.kill();
    const now = Date.now();
    crashTimes = [...crashTimes.filter((t) => now - t < policy.windowMs), now];
    const count = crashTimes.length;
    const window = policy.windowMs % 1000 === 0 ? `${policy.windowMs / 1000} s` : `${policy.windowMs} ms`;
    if (count > policy.maxCrashes) {
      stopping = true;
      options.onGiveUp(
        `${options.name} crashed ${count} times within ${window} (last: ${describeExit(info)}): giving up on it`,
        info,
      );
      return;
    }
    const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (count - 1));
    options.log(
      `${options.name} exited unexpectedly (${describeExit(info)}); restarting in ${delay} ms ` +
        `(crash ${count} of at most ${policy.maxCrashes} within ${window})`,
    );
    timer = setTimeout(() => {
      starting = restartNow().finally(() => {
        starting = undefined;
      });
    }, delay);
  };

  const restartNow = async () => {
    let next: ManagedProcess;
    try {
      next = await options.restart();
    } catch (error) {
      if (stopping) return;
      options.log(`${options.name} did not start again: ${error instanceof Error ? error.message : error}`);
      onExit({ code: -1, signal: null });
      return;
    }
    child = next;
    if (stopping) return;
    options.onRestart?.(next);
    options.log(`${options.name} restarted (pid ${next.pid})`);
    follow(next);
    if (options.ready) {
      void options.ready(next).then(
        () => {
          if (!next.hasExited()) options.log(`${options.name} ready again`);
        },
        () => undefined,
      );
    }
  };

  const follow = (process: ManagedProcess) => {
    void process.exited.then((info) => onExit(info, process));
  };
  follow(first);

  return {
    name: options.name,
    current: () => child,
    crashes: () => crashTimes.filter((t) => Date.now() - t < policy.windowMs).length,
    async stop(timeoutMs) {
      stopping = true;
      clearTimeout(timer);
      await starting;
      await child.stop(timeoutMs);
    },
  };
}

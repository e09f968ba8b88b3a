import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";

export type Reduction = "none" | "first" | "mean" | "max";

export interface RunRequest {
  /** Token ids, row-major [batch, seq], right-padded. */
  ids: BigInt64Array;
  /** 1 for real tokens, 0 for padding, same shape as `ids`. */
  mask: BigInt64Array;
  batch: number;
  seq: number;
  /** Name of the model output to read. */
  output: string;
  reduce: Reduction;
}

export interface RunResult {
  /** Row-major [batch, dim]. */
  data: Float32Array;
  batch: number;
  dim: number;
}

/** One ONNX Runtime session in a child process; requests run one after another in arrival order. */
export interface OnnxRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Process id of the current runner process. */
  readonly pid: number | undefined;
  run(request: RunRequest): Promise<RunResult>;
  close(): Promise<void>;
}

export interface OnnxRunnerOptions {
  modelPath: string;
  /** ONNX Runtime intra-op threads (0 = its default). */
  threads: number;
}

interface Pending {
  resolve(value: RunnerReply): void;
  reject(error: Error): void;
}

/** The child's argument (`onnx-runner-child.js`). */
export interface RunnerConfig {
  ortPath: string;
  modelPath: string;
  threads: number;
}

/** A message to the child: a run, or the request to release the session and exit. */
export type RunnerMessage = ({ id: number } & RunRequest) | { id: number; close: true };

/** The child's answer to message `id` (id 0: the session loaded, with its names, or failed to load). */
export interface RunnerReply {
  id: number;
  error?: string;
  inputNames?: string[];
  outputNames?: string[];
  data?: Float32Array;
  batch?: number;
  dim?: number;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

type RunnerRequest = RunRequest | { close: true };

/** One child process with one loaded session. */
interface RunnerProcess {
  pid: number | undefined;
  inputNames: string[];
  outputNames: string[];
  /** Set once the process has failed or exited; every request after that rejects with it. */
  failure(): Error | undefined;
  request(message: RunnerRequest): Promise<RunnerReply>;
  close(): Promise<void>;
}

/** Starts a child process and loads the model; rejects with the runtime's message when it cannot be loaded. */
async function spawnRunnerProcess(options: OnnxRunnerOptions): Promise<RunnerProcess> {
  const require = createRequire(import.meta.url);
  const config: RunnerConfig = {
    ortPath: require.resolve("onnxruntime-node"),
    modelPath: options.modelPath,
    threads: options.threads,
  };
  // Resolved through the package's exports, so a service bundle finds the file in its deployed node_modules.
  const childPath = require.resolve("@hybrid/embeddings/onnx-runner-child");
  const child: ChildProcess = spawn(process.execPath, [childPath, JSON.stringify(config)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let failure: Error | undefined;

  // Only a request in flight keeps the parent process alive.
  const setActive = (active: boolean) => {
    if (active) {
      child.ref();
      child.channel?.ref();
    } else {
      child.unref();
      child.channel?.unref();
    }
  };
  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.on("message", (reply: RunnerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) setActive(false);
    if (reply.error !== undefined) p.reject(new Error(reply.error));
    else p.resolve(reply);
  });
  child.on("error", (error) => failAll(error));
  child.on("exit", (code, signal) => {
    failAll(new Error(`ONNX runner for ${options.modelPath} exited (${signal ?? `code ${code}`})`));
  });

  // The child answers id 0 once the session is loaded (or failed to load).
  const ready = await new Promise<RunnerReply>((resolve, reject) => {
    pending.set(0, { resolve, reject });
  }).catch(async (error: Error) => {
    closed = true;
    child.kill("SIGKILL"); // the runner ignores SIGTERM (see onnx-runner-child.js)
    await exited(child);
    throw new Error(`cannot load ONNX model ${options.modelPath}: ${error.message}`);
  });
  setActive(false);

  const request = (message: RunnerRequest) =>
    new Promise<RunnerReply>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      setActive(true);
      const full: RunnerMessage = { id, ...message };
      child.send(full);
    });

  return {
    pid: child.pid,
    inputNames: ready.inputNames ?? [],
    outputNames: ready.outputNames ?? [],
    failure: () => failure,
    request,
    async close() {
      if (closed) return;
      closed = true;
      if (!failure) await request({ close: true }).catch(() => undefined);
      child.ref(); // keeps this process alive until the child has gone
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited(child);
    },
  };
}

/**
 * Starts the runner. Should its process die (killed, out of memory), the requests in flight reject and the next
 * request starts a new process, so a long-running worker recovers by retrying.
 */
export async function startOnnxRunner(options: OnnxRunnerOptions): Promise<OnnxRunner> {
  let current = await spawnRunnerProcess(options);
  let restarting: Promise<RunnerProcess> | undefined;
  let closed = false;

  const live = async (): Promise<RunnerProcess> => {
    if (closed) throw new Error(`ONNX runner for ${options.modelPath} is closed`);
    if (!current.failure()) return current;
    restarting ??= spawnRunnerProcess(options).finally(() => {
      restarting = undefined;
    });
    current = await restarting;
    return current;
  };

  return {
    inputNames: current.inputNames,
    outputNames: current.outputNames,
    get pid() {
      return current.pid;
    },
    async run(req) {
      const reply = await (await live()).request(req);
      if (!reply.data || reply.batch === undefined || reply.dim === undefined) {
        throw new Error("ONNX runner sent an incomplete reply");
      }
      return { data: reply.data, batch: reply.batch, dim: reply.dim };
    },
    async close() {
      closed = true;
      const pendingRestart = await restarting?.catch(() => undefined);
      await Promise.all([current.close(), pendingRestart?.close()]);
    },
  };
}

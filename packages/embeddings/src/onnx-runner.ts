import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { ONNX_WORKER_SOURCE } from "./onnx-worker-source.js";

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

/** One ONNX Runtime session in a worker thread; requests run one after another in arrival order. */
export interface OnnxRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(request: RunRequest): Promise<RunResult>;
  close(): Promise<void>;
}

export interface OnnxRunnerOptions {
  modelPath: string;
  /** ONNX Runtime intra-op threads (0 = its default). */
  threads: number;
}

interface Pending {
  resolve(value: WorkerReply): void;
  reject(error: Error): void;
}

interface WorkerReply {
  id: number;
  error?: string;
  inputNames?: string[];
  outputNames?: string[];
  data?: Float32Array;
  batch?: number;
  dim?: number;
}

const ortPath = createRequire(import.meta.url).resolve("onnxruntime-node");

/** Starts the worker and loads the model; rejects with the runtime's message when the model cannot be loaded. */
export async function startOnnxRunner(options: OnnxRunnerOptions): Promise<OnnxRunner> {
  const worker = new Worker(ONNX_WORKER_SOURCE, {
    eval: true,
    workerData: { ortPath, modelPath: options.modelPath, threads: options.threads },
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let failure: Error | undefined;

  const settleAll = (error: Error) => {
    failure = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on("message", (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.error !== undefined) p.reject(new Error(reply.error));
    else p.resolve(reply);
  });
  worker.on("error", (error) => settleAll(error));
  worker.on("exit", (code) => {
    if (!closed) settleAll(new Error(`ONNX worker for ${options.modelPath} exited with code ${code}`));
  });

  const request = (id: number, message: object, transfer: ArrayBuffer[] = []) =>
    new Promise<WorkerReply>((resolve, reject) => {
      if (failure) return reject(failure);
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...message }, transfer);
    });

  // The worker answers id 0 once the session is loaded (or failed to load).
  const ready = await new Promise<WorkerReply>((resolve, reject) => {
    pending.set(0, { resolve, reject });
  }).catch(async (error: Error) => {
    closed = true;
    await worker.terminate();
    throw new Error(`cannot load ONNX model ${options.modelPath}: ${error.message}`);
  });

  return {
    inputNames: ready.inputNames ?? [],
    outputNames: ready.outputNames ?? [],
    async run(req) {
      const reply = await request(nextId++, req, [
        req.ids.buffer as ArrayBuffer,
        req.mask.buffer as ArrayBuffer,
      ]);
      if (!reply.data || reply.batch === undefined || reply.dim === undefined) {
        throw new Error("ONNX worker sent an incomplete reply");
      }
      return { data: reply.data, batch: reply.batch, dim: reply.dim };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!failure) await request(nextId++, { close: true }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

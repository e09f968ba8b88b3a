// @ts-check
/**
 * The child process that owns an ONNX Runtime session (started by `onnx-runner.ts`). onnxruntime-node 1.21 runs
 * `session.run` synchronously on the calling thread, so it runs here, off the event loop, together with the reductions
 * over the sequence axis (so that a [batch, seq, hidden] or [batch, seq, 30522] output never crosses processes; only
 * [batch, dim] does). A child process rather than a worker thread: the runtime's native addon cannot be loaded again
 * in a second worker thread once one has ended ("Module did not self-register"), and it crashes on worker teardown.
 *
 * Plain JavaScript, type-checked by tsc (`checkJs`) against the message types of `onnx-runner.ts`, so Node runs it as
 * it is under tsx, vitest and a bundle alike. Argument: the JSON `RunnerConfig`. Messages in (IPC, advanced
 * serialisation): `RunnerMessage`. Messages out: `RunnerReply`.
 *
 * Reductions, over the positions whose attention mask is 1 only:
 * - `none`: the output already is [batch, dim] (a model that pools itself);
 * - `first`: position 0 of [batch, seq, dim] (CLS pooling);
 * - `mean`: mean over attended positions (sentence-transformers mean pooling);
 * - `max`: maximum over attended positions (SPLADE; log(1 + relu(x)) is monotonic, so it commutes with the max).
 */
import { createRequire } from "node:module";

/** @typedef {import("./onnx-runner.js").RunnerConfig} RunnerConfig */
/** @typedef {import("./onnx-runner.js").RunnerMessage} RunnerMessage */
/** @typedef {import("./onnx-runner.js").RunnerReply} RunnerReply */
/** @typedef {import("./onnx-runner.js").Reduction} Reduction */

/** @type {RunnerConfig} */
const config = JSON.parse(process.argv[2] ?? "{}");
/** @type {typeof import("onnxruntime-node")} */
const ort = createRequire(import.meta.url)(config.ortPath);

/** @param {RunnerReply} message */
const reply = (message) => process.send?.(message);
/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

process.on("disconnect", () => process.exit(0));
// A Ctrl-C or a group-wide SIGTERM reaches this child too; its parent decides when it stops (by disconnecting),
// so a worker finishing its last batch during a graceful shutdown still has its model.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

/**
 * @param {readonly string[]} names
 * @param {string[]} candidates
 */
function inputNameFor(names, candidates) {
  return candidates.find((c) => names.includes(c));
}

/**
 * @param {Reduction} kind
 * @param {Float32Array} data
 * @param {readonly number[]} dims
 * @param {BigInt64Array} mask
 * @param {number} batch
 * @param {number} seq
 * @returns {{ data: Float32Array; dim: number }}
 */
function reduce(kind, data, dims, mask, batch, seq) {
  if (kind === "none") {
    if (dims.length !== 2) throw new Error(`expected a [batch, dim] output, got [${dims.join(", ")}]`);
    return { data: new Float32Array(data), dim: dims[1] ?? 0 };
  }
  if (dims.length !== 3 || dims[1] !== seq) {
    throw new Error(`expected a [batch, ${seq}, dim] output, got [${dims.join(", ")}]`);
  }
  const dim = dims[2] ?? 0;
  const out = new Float32Array(batch * dim);
  if (kind === "first") {
    for (let b = 0; b < batch; b++) out.set(data.subarray(b * seq * dim, b * seq * dim + dim), b * dim);
    return { data: out, dim };
  }
  const acc = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    acc.fill(kind === "mean" ? 0 : Number.NEGATIVE_INFINITY);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      if (mask[b * seq + t] === 0n) continue;
      count++;
      const base = (b * seq + t) * dim;
      if (kind === "mean") {
        for (let d = 0; d < dim; d++) acc[d] = (acc[d] ?? 0) + (data[base + d] ?? 0);
      } else {
        for (let d = 0; d < dim; d++) {
          const v = data[base + d] ?? 0;
          if (v > (acc[d] ?? 0)) acc[d] = v;
        }
      }
    }
    const denominator = kind === "mean" ? Math.max(count, 1e-9) : 1;
    for (let d = 0; d < dim; d++) out[b * dim + d] = (acc[d] ?? 0) / denominator;
  }
  return { data: out, dim };
}

async function main() {
  /** @type {import("onnxruntime-node").InferenceSession.SessionOptions} */
  const options = { graphOptimizationLevel: "all", executionMode: "sequential", interOpNumThreads: 1 };
  if (config.threads > 0) options.intraOpNumThreads = config.threads;
  /** @type {import("onnxruntime-node").InferenceSession} */
  let session;
  try {
    session = await ort.InferenceSession.create(config.modelPath, options);
  } catch (error) {
    reply({ id: 0, error: messageOf(error) });
    return;
  }
  const names = session.inputNames;
  const idsName = inputNameFor(names, ["input_ids"]);
  if (!idsName) {
    reply({ id: 0, error: `the model has no input_ids input (inputs: ${names.join(", ")})` });
    return;
  }
  const maskName = inputNameFor(names, ["attention_mask", "input_mask"]);
  const typesName = inputNameFor(names, ["token_type_ids", "segment_ids"]);
  reply({ id: 0, inputNames: [...names], outputNames: [...session.outputNames] });
  process.on("message", async (/** @type {RunnerMessage} */ msg) => {
    if ("close" in msg) {
      await session.release();
      reply({ id: msg.id });
      process.disconnect();
      return;
    }
    try {
      const shape = [msg.batch, msg.seq];
      /** @type {Record<string, import("onnxruntime-node").Tensor>} */
      const feeds = { [idsName]: new ort.Tensor("int64", msg.ids, shape) };
      if (maskName) feeds[maskName] = new ort.Tensor("int64", msg.mask, shape);
      if (typesName) feeds[typesName] = new ort.Tensor("int64", new BigInt64Array(msg.ids.length), shape);
      const results = await session.run(feeds, [msg.output]);
      const tensor = results[msg.output];
      if (!tensor) throw new Error(`the model has no output ${msg.output}`);
      const reduced = reduce(
        msg.reduce,
        /** @type {Float32Array} */ (tensor.data),
        tensor.dims,
        msg.mask,
        msg.batch,
        msg.seq,
      );
      reply({ id: msg.id, data: reduced.data, batch: msg.batch, dim: reduced.dim });
    } catch (error) {
      reply({ id: msg.id, error: messageOf(error) });
    }
  });
}

void main();

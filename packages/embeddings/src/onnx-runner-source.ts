/**
 * Source of the child process that owns an ONNX Runtime session. onnxruntime-node 1.21 runs `session.run`
 * synchronously on the calling thread, so it lives here, off the event loop, together with the reductions over the
 * sequence axis (so that a [batch, seq, hidden] or [batch, seq, 30522] output never crosses processes; only
 * [batch, dim] does). A child process rather than a worker thread: the runtime's native addon cannot be loaded again
 * in a second worker thread once one has ended ("Module did not self-register"), and it crashes on worker teardown.
 *
 * It is plain JavaScript in a string, run with `node -e`, so it works the same under tsx, vitest and a bundle.
 * Messages in (IPC, advanced serialisation): `{ id, ids, mask, batch, seq, output, reduce }` (ids and mask
 * BigInt64Array, row-major, right-padded). Messages out: `{ id, data, batch, dim }` (Float32Array) or `{ id, error }`.
 *
 * Reductions, over the positions whose attention mask is 1 only:
 * - `none`: the output already is [batch, dim] (a model that pools itself);
 * - `first`: position 0 of [batch, seq, dim] (CLS pooling);
 * - `mean`: mean over attended positions (sentence-transformers mean pooling);
 * - `max`: maximum over attended positions (SPLADE; log(1 + relu(x)) is monotonic, so it commutes with the max).
 */
export const ONNX_RUNNER_SOURCE = `
const workerData = JSON.parse(process.argv[1]);
const ort = require(workerData.ortPath);
const reply = (message) => process.send(message);
const messageOf = (error) => String(error && error.message ? error.message : error);
process.on("disconnect", () => process.exit(0));
// A Ctrl-C or a group-wide SIGTERM reaches this child too; its parent decides when it stops (by disconnecting),
// so a worker finishing its last batch during a graceful shutdown still has its model.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

function inputNameFor(names, candidates) {
  return candidates.find((c) => names.includes(c));
}

function reduce(kind, data, dims, mask, batch, seq) {
  if (kind === "none") {
    if (dims.length !== 2) throw new Error("expected a [batch, dim] output, got [" + dims.join(", ") + "]");
    return { data: new Float32Array(data), dim: dims[1] };
  }
  if (dims.length !== 3 || dims[1] !== seq) {
    throw new Error("expected a [batch, " + seq + ", dim] output, got [" + dims.join(", ") + "]");
  }
  const dim = dims[2];
  const out = new Float32Array(batch * dim);
  if (kind === "first") {
    for (let b = 0; b < batch; b++) out.set(data.subarray(b * seq * dim, b * seq * dim + dim), b * dim);
    return { data: out, dim };
  }
  const acc = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    if (kind === "mean") acc.fill(0);
    else acc.fill(-Infinity);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      if (mask[b * seq + t] === 0n) continue;
      count++;
      const base = (b * seq + t) * dim;
      if (kind === "mean") {
        for (let d = 0; d < dim; d++) acc[d] += data[base + d];
      } else {
        for (let d = 0; d < dim; d++) {
          const v = data[base + d];
          if (v > acc[d]) acc[d] = v;
        }
      }
    }
    if (kind === "mean") {
      const denominator = Math.max(count, 1e-9);
      for (let d = 0; d < dim; d++) out[b * dim + d] = acc[d] / denominator;
    } else {
      for (let d = 0; d < dim; d++) out[b * dim + d] = acc[d];
    }
  }
  return { data: out, dim };
}

async function main() {
  const options = { graphOptimizationLevel: "all", executionMode: "sequential", interOpNumThreads: 1 };
  if (workerData.threads > 0) options.intraOpNumThreads = workerData.threads;
  let session;
  try {
    session = await ort.InferenceSession.create(workerData.modelPath, options);
  } catch (error) {
    reply({ id: 0, error: messageOf(error) });
    return;
  }
  const names = session.inputNames;
  const idsName = inputNameFor(names, ["input_ids"]);
  if (!idsName) {
    reply({ id: 0, error: "the model has no input_ids input (inputs: " + names.join(", ") + ")" });
    return;
  }
  const maskName = inputNameFor(names, ["attention_mask", "input_mask"]);
  const typesName = inputNameFor(names, ["token_type_ids", "segment_ids"]);
  reply({ id: 0, inputNames: names, outputNames: session.outputNames });
  process.on("message", async (msg) => {
    if (msg.close) {
      await session.release();
      reply({ id: msg.id, closed: true });
      process.disconnect();
      return;
    }
    try {
      const shape = [msg.batch, msg.seq];
      const feeds = {};
      feeds[idsName] = new ort.Tensor("int64", msg.ids, shape);
      if (maskName) feeds[maskName] = new ort.Tensor("int64", msg.mask, shape);
      if (typesName) feeds[typesName] = new ort.Tensor("int64", new BigInt64Array(msg.ids.length), shape);
      const results = await session.run(feeds, [msg.output]);
      const tensor = results[msg.output];
      const reduced = reduce(msg.reduce, tensor.data, tensor.dims, msg.mask, msg.batch, msg.seq);
      reply({ id: msg.id, data: reduced.data, batch: msg.batch, dim: reduced.dim });
    } catch (error) {
      reply({ id: msg.id, error: messageOf(error) });
    }
  });
}

main();
`;

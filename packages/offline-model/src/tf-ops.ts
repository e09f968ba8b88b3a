import { type GraphBuilder, INT64_MAX, INT64_MIN } from "./graph-builder.js";
import { OnnxType } from "./onnx-proto.js";
import type { AttrValue, GraphNode } from "./tfjs-model.js";

/** What an op converter can ask about the TF graph while it emits ONNX nodes. */
export interface OpContext {
  readonly g: GraphBuilder;
  readonly node: GraphNode;
  /** ONNX tensor name of TF input `k` (emitting a constant's initializer on first use). */
  input(k: number): string;
  /** Values of TF input `k`, which must be an integer constant. */
  constInput(k: number): number[];
  /** Values of a TF integer constant referenced by input `k`, or undefined when it is computed. */
  maybeConstInput(k: number): number[] | undefined;
  /** Registers ONNX tensors as TF outputs 0..n-1 of this node. */
  setOutputs(names: string[]): void;
  /** An ONNX name derived from this node's name. */
  sub(suffix: string): string;
}

type Converter = (c: OpContext) => void;

const TF_TO_ONNX_TYPE: Record<number, OnnxType> = {
  1: OnnxType.float,
  3: OnnxType.int32,
  9: OnnxType.int64,
  10: OnnxType.bool,
};

export function onnxTypeOf(tfType: unknown, where: string): OnnxType {
  const mapped = typeof tfType === "number" ? TF_TO_ONNX_TYPE[tfType] : undefined;
  if (mapped === undefined) throw new Error(`${where}: unsupported TF dtype ${String(tfType)}`);
  return mapped;
}

function attr(c: OpContext, key: string): AttrValue {
  const value = c.node.attr?.[key];
  if (value === undefined) throw new Error(`${c.node.name} (${c.node.op}): missing attribute ${key}`);
  return value;
}

function intAttr(c: OpContext, key: string, fallback?: number): number {
  const value = c.node.attr?.[key];
  if (value?.i === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${c.node.name} (${c.node.op}): missing integer attribute ${key}`);
  }
  return Number(value.i);
}

function boolAttr(c: OpContext, key: string): boolean {
  return c.node.attr?.[key]?.b === true;
}

function intListAttr(c: OpContext, key: string): number[] {
  return (attr(c, key).list?.i ?? []).map(Number);
}

function stringAttr(c: OpContext, key: string): string {
  const s = attr(c, key).s;
  if (Array.isArray(s)) return String.fromCharCode(...s);
  if (typeof s === "string") return Buffer.from(s, "base64").toString("utf8");
  throw new Error(`${c.node.name}: attribute ${key} is not a string`);
}

const unary =
  (opType: string): Converter =>
  (c) =>
    c.setOutputs([c.g.one(opType, [c.input(0)], c.node.name)]);

const binary =
  (opType: string): Converter =>
  (c) =>
    c.setOutputs([c.g.one(opType, [c.input(0), c.input(1)], c.node.name)]);

/** TF reductions take their axes as a second input; opset 18 ONNX reductions do too (as int64). */
const reduce =
  (opType: string): Converter =>
  (c) => {
    const axes = c.g.int64(c.constInput(1));
    const keepdims = boolAttr(c, "keep_dims") ? 1 : 0;
    c.setOutputs([c.g.one(opType, [c.input(0), axes], c.node.name, { keepdims })]);
  };

/** An int64 copy of input `k`: a new constant when it is constant, a Cast otherwise. */
function int64Input(c: OpContext, k: number): string {
  const known = c.maybeConstInput(k);
  if (known !== undefined) return c.g.int64(known);
  return c.g.one("Cast", [c.input(k)], c.sub(`to_int64_${k}`), { to: OnnxType.int64 });
}

/** Swaps the last two axes of a tensor of the given rank. */
function swapLastTwo(c: OpContext, tensor: string, rank: number, tag: string): string {
  const perm = Array.from({ length: rank }, (_, k) => k);
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return c.g.one("Transpose", [tensor], c.sub(tag), { perm });
}

function stridedSlice(c: OpContext): void {
  for (const unsupported of ["ellipsis_mask", "new_axis_mask"]) {
    if (intAttr(c, unsupported, 0) !== 0)
      throw new Error(`${c.node.name}: StridedSlice ${unsupported} unsupported`);
  }
  const begin = c.constInput(1);
  const end = c.constInput(2);
  const strides = c.constInput(3);
  const beginMask = intAttr(c, "begin_mask", 0);
  const endMask = intAttr(c, "end_mask", 0);
  const shrinkMask = intAttr(c, "shrink_axis_mask", 0);
  const starts: bigint[] = [];
  const ends: bigint[] = [];
  const steps: bigint[] = [];
  const shrinkAxes: number[] = [];
  begin.forEach((b, axis) => {
    const stride = strides[axis] ?? 1;
    const bit = 1 << axis;
    if (shrinkMask & bit) {
      starts.push(BigInt(b));
      ends.push(b === -1 ? INT64_MAX : BigInt(b + 1));
      steps.push(1n);
      shrinkAxes.push(axis);
      return;
    }
    starts.push(beginMask & bit ? (stride > 0 ? 0n : INT64_MAX) : BigInt(b));
    ends.push(endMask & bit ? (stride > 0 ? INT64_MAX : INT64_MIN) : BigInt(end[axis] ?? 0));
    steps.push(BigInt(stride));
  });
  const axes = c.g.int64(begin.map((_, k) => k));
  const sliced = c.g.one(
    "Slice",
    [c.input(0), c.g.int64(starts), c.g.int64(ends), axes, c.g.int64(steps)],
    shrinkAxes.length ? c.sub("slice") : c.node.name,
  );
  c.setOutputs([
    shrinkAxes.length ? c.g.one("Squeeze", [sliced, c.g.int64(shrinkAxes)], c.node.name) : sliced,
  ]);
}

function slice(c: OpContext): void {
  const begin = c.constInput(1);
  const size = c.constInput(2);
  const ends = size.map((s, k) => (s === -1 ? INT64_MAX : BigInt((begin[k] ?? 0) + s)));
  const axes = c.g.int64(begin.map((_, k) => k));
  c.setOutputs([c.g.one("Slice", [c.input(0), c.g.int64(begin), c.g.int64(ends), axes], c.node.name)]);
}

const converters: Record<string, Converter> = {
  Add: binary("Add"),
  Sub: binary("Sub"),
  Mul: binary("Mul"),
  RealDiv: binary("Div"),
  Maximum: binary("Max"),
  Less: binary("Less"),
  Greater: binary("Greater"),
  BiasAdd: (c) => {
    const format = c.node.attr?.data_format ? stringAttr(c, "data_format") : "NHWC";
    if (format !== "NHWC") throw new Error(`${c.node.name}: BiasAdd ${format} unsupported`);
    binary("Add")(c);
  },
  LogicalNot: unary("Not"),
  Sin: unary("Sin"),
  Cos: unary("Cos"),
  Tanh: unary("Tanh"),
  Relu: unary("Relu"),
  Softmax: (c) => c.setOutputs([c.g.one("Softmax", [c.input(0)], c.node.name, { axis: -1 })]),
  Square: (c) => c.setOutputs([c.g.one("Mul", [c.input(0), c.input(0)], c.node.name)]),
  Rsqrt: (c) => {
    const root = c.g.one("Sqrt", [c.input(0)], c.sub("sqrt"));
    c.setOutputs([c.g.one("Reciprocal", [root], c.node.name)]);
  },
  Cast: (c) => {
    const to = onnxTypeOf(attr(c, "DstT").type, c.node.name);
    c.setOutputs([c.g.one("Cast", [c.input(0)], c.node.name, { to })]);
  },
  Shape: (c) => {
    const outType = c.node.attr?.out_type
      ? onnxTypeOf(attr(c, "out_type").type, c.node.name)
      : OnnxType.int32;
    const shape = c.g.one("Shape", [c.input(0)], outType === OnnxType.int64 ? c.node.name : c.sub("int64"));
    c.setOutputs([
      outType === OnnxType.int64 ? shape : c.g.one("Cast", [shape], c.node.name, { to: outType }),
    ]);
  },
  // allowzero: a 0 in the shape means size 0, as in TF (ONNX's default copies the input's dimension instead).
  Reshape: (c) =>
    c.setOutputs([c.g.one("Reshape", [c.input(0), int64Input(c, 1)], c.node.name, { allowzero: 1 })]),
  ExpandDims: (c) =>
    c.setOutputs([c.g.one("Unsqueeze", [c.input(0), c.g.int64(c.constInput(1))], c.node.name)]),
  Squeeze: (c) => {
    const dims = intListAttr(c, "squeeze_dims");
    const inputs = dims.length ? [c.input(0), c.g.int64(dims)] : [c.input(0)];
    c.setOutputs([c.g.one("Squeeze", inputs, c.node.name)]);
  },
  Transpose: (c) =>
    c.setOutputs([c.g.one("Transpose", [c.input(0)], c.node.name, { perm: c.constInput(1) })]),
  ConcatV2: (c) => {
    const n = intAttr(c, "N");
    const [axis] = c.constInput(n);
    const inputs = Array.from({ length: n }, (_, k) => c.input(k));
    c.setOutputs([c.g.one("Concat", inputs, c.node.name, { axis: axis ?? 0 })]);
  },
  Pack: (c) => {
    const n = intAttr(c, "N");
    const axis = intAttr(c, "axis", 0);
    const axes = c.g.int64([axis]);
    const parts = Array.from({ length: n }, (_, k) =>
      c.g.one("Unsqueeze", [c.input(k), axes], c.sub(`unsqueeze_${k}`)),
    );
    c.setOutputs([c.g.one("Concat", parts, c.node.name, { axis })]);
  },
  SplitV: (c) => {
    const sizes = c.constInput(1);
    const [axis] = c.constInput(2);
    const outputs = c.g.add("Split", [c.input(0), c.g.int64(sizes)], {
      name: c.node.name,
      attrs: { axis: axis ?? 0 },
      outputs: sizes.length,
    });
    c.setOutputs(outputs);
  },
  StridedSlice: stridedSlice,
  Slice: slice,
  GatherV2: (c) => {
    const [axis] = c.constInput(2);
    c.setOutputs([c.g.one("Gather", [c.input(0), c.input(1)], c.node.name, { axis: axis ?? 0 })]);
  },
  GatherNd: (c) => c.setOutputs([c.g.one("GatherND", [c.input(0), int64Input(c, 1)], c.node.name)]),
  ScatterNd: (c) => {
    const dtype = onnxTypeOf(attr(c, "T").type, c.node.name);
    if (dtype !== OnnxType.float) throw new Error(`${c.node.name}: ScatterNd of non-float data unsupported`);
    const zeros = c.g.one("ConstantOfShape", [int64Input(c, 2)], c.sub("zeros"));
    c.setOutputs([c.g.one("ScatterND", [zeros, int64Input(c, 0), c.input(1)], c.node.name)]);
  },
  SparseToDense: (c) => {
    const filled = c.g.one("Expand", [c.input(3), int64Input(c, 1)], c.sub("fill"));
    c.setOutputs([c.g.one("ScatterND", [filled, int64Input(c, 0), c.input(2)], c.node.name)]);
  },
  Where: (c) => {
    if ((c.node.input ?? []).filter((i) => !i.startsWith("^")).length !== 1) {
      throw new Error(`${c.node.name}: only the one-input form of Where is supported`);
    }
    const coords = c.g.one("NonZero", [c.input(0)], c.sub("nonzero"));
    c.setOutputs([c.g.one("Transpose", [coords], c.node.name, { perm: [1, 0] })]);
  },
  Range: (c) => c.setOutputs([c.g.one("Range", [c.input(0), c.input(1), c.input(2)], c.node.name)]),
  Sum: reduce("ReduceSum"),
  Mean: reduce("ReduceMean"),
  Max: reduce("ReduceMax"),
  Prod: reduce("ReduceProd"),
  MatMul: (c) => {
    const a = boolAttr(c, "transpose_a") ? swapLastTwo(c, c.input(0), 2, "transpose_a") : c.input(0);
    const b = boolAttr(c, "transpose_b") ? swapLastTwo(c, c.input(1), 2, "transpose_b") : c.input(1);
    c.setOutputs([c.g.one("MatMul", [a, b], c.node.name)]);
  },
  /** The attention products of this graph multiply rank-4 [batch, heads, length, depth] tensors. */
  BatchMatMul: (c) => {
    const a = boolAttr(c, "adj_x") ? swapLastTwo(c, c.input(0), 4, "adj_x") : c.input(0);
    const b = boolAttr(c, "adj_y") ? swapLastTwo(c, c.input(1), 4, "adj_y") : c.input(1);
    c.setOutputs([c.g.one("MatMul", [a, b], c.node.name)]);
  },
};

export function convertOp(c: OpContext): void {
  const convert = converters[c.node.op];
  if (!convert) throw new Error(`${c.node.name}: TF op ${c.node.op} has no ONNX mapping`);
  convert(c);
}

/** Ops handled outside the table because they need the weights (see convert-graph.ts). */
export const SPECIAL_OPS = ["Const", "Placeholder", "Conv2D"] as const;
export const SUPPORTED_OPS = [...Object.keys(converters), ...SPECIAL_OPS].sort();

import {
  AttrType,
  encodeOnnxGraphAppendix,
  encodeOnnxModel,
  type OnnxModel,
  type OnnxTensor,
  OnnxType,
} from "@hybrid/offline-model/onnx";

/**
 * Small ONNX graphs written by hand for tests and the bench, serialised by `@hybrid/offline-model`'s writer (the
 * one ONNX writer of the repository). Nodes name their inputs and outputs; int attributes only.
 */
export { OnnxType };

type ElemType = (typeof OnnxType)["float" | "int64"];

export interface GraphTensor {
  name: string;
  type: ElemType;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: sizes, or names of symbolic dimensions. */
export interface GraphValue {
  name: string;
  type: ElemType;
  dims: (number | string)[];
}

export interface GraphNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Array<{ name: string; int: number }>;
}

export interface Graph {
  nodes: GraphNode[];
  inputs: GraphValue[];
  outputs: GraphValue[];
  initializers?: GraphTensor[];
}

function parts(
  graph: Graph,
  nodeNameBase = 0,
): Pick<OnnxModel, "nodes" | "initializers" | "inputs" | "outputs"> {
  const value = (v: GraphValue) => ({ name: v.name, elemType: v.type, shape: v.dims });
  const tensor = (t: GraphTensor): OnnxTensor => ({
    name: t.name,
    dataType: t.type,
    dims: t.dims,
    // raw_data is little-endian, as typed arrays are on every platform Node runs on here.
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  });
  return {
    nodes: graph.nodes.map((node, i) => ({
      name: `${node.op.toLowerCase()}_${nodeNameBase + i}`,
      opType: node.op,
      input: node.inputs,
      output: node.outputs,
      attribute: (node.attributes ?? []).map((a) => ({ name: a.name, type: AttrType.int, i: a.int })),
    })),
    initializers: (graph.initializers ?? []).map(tensor),
    inputs: graph.inputs.map(value),
    outputs: graph.outputs.map(value),
  };
}

/** A complete model (IR version 8, default-domain opset 17). */
export function encodeGraphModel(graph: Graph): Uint8Array {
  return encodeOnnxModel({
    irVersion: 8,
    opset: 17,
    producerName: "hybrid-embeddings-test",
    producerVersion: "",
    docString: "",
    graphName: "graph",
    metadata: {},
    ...parts(graph),
  });
}

/** `model` with `extra`'s nodes, inputs and outputs added, without decoding it (node names cannot collide). */
export function appendToModel(model: Uint8Array, extra: Graph): Uint8Array {
  const tail = encodeOnnxGraphAppendix(parts(extra, 1_000_000));
  const out = new Uint8Array(model.length + tail.length);
  out.set(model, 0);
  out.set(tail, model.length);
  return out;
}

/**
 * A minimal ONNX writer: encodes just enough of `onnx.proto` (ModelProto, GraphProto, NodeProto, TensorProto,
 * ValueInfoProto, AttributeProto) as protobuf wire format to build small models by hand. Tests use it for models whose
 * output is computable on paper; the bench uses it to graft an extra output onto an existing model.
 */

/** ONNX `TensorProto.DataType` values used here. */
export const OnnxType = { float: 1, int64: 7 } as const;
export type OnnxElemType = (typeof OnnxType)[keyof typeof OnnxType];

export interface OnnxTensor {
  name: string;
  type: OnnxElemType;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: `dims` entries are sizes, or names of symbolic dimensions. */
export interface OnnxValueInfo {
  name: string;
  type: OnnxElemType;
  dims: (number | string)[];
}

export type OnnxAttribute = { name: string; int: number } | { name: string; ints: number[] };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers?: OnnxTensor[];
}

class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
  }

  private varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      out.push(byte);
    } while (v > 0n);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  int(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.varint(BigInt(value));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const length = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, info.type);
      tensor.message(2, (shape) => {
        for (const dim of info.dims) {
          shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  for (const dim of tensor.dims) w.int(1, dim);
  w.int(2, tensor.type);
  w.string(8, tensor.name);
  const { buffer, byteOffset, byteLength } = tensor.data;
  // raw_data is little-endian, as typed arrays are on every platform Node runs on here.
  w.bytes(9, new Uint8Array(buffer, byteOffset, byteLength));
}

function writeNode(w: ProtoWriter, node: OnnxNode, index: number): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, `${node.op.toLowerCase()}_${index}`);
  w.string(4, node.op);
  for (const attr of node.attributes ?? []) {
    w.message(5, (a) => {
      a.string(1, attr.name);
      if ("int" in attr) {
        a.int(3, attr.int).int(20, 2);
      } else {
        for (const v of attr.ints) a.int(8, v);
        a.int(20, 7);
      }
    });
  }
}

/** Serialised GraphProto fields; concatenating two encodings merges them (protobuf appends repeated fields). */
export function encodeGraph(graph: OnnxGraph, nodeIndexBase = 0): Uint8Array {
  const w = new ProtoWriter();
  graph.nodes.forEach((node, i) => {
    w.message(1, (n) => writeNode(n, node, nodeIndexBase + i));
  });
  for (const init of graph.initializers ?? []) w.message(5, (t) => writeTensor(t, init));
  for (const input of graph.inputs) w.message(11, (v) => writeValueInfo(v, input));
  for (const output of graph.outputs) w.message(12, (v) => writeValueInfo(v, output));
  return w.finish();
}

/** A complete ModelProto (IR version 8, default-domain opset 17). */
export function encodeModel(graph: OnnxGraph): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8);
  w.string(2, "hybrid-embeddings");
  w.bytes(7, concatBytes(new ProtoWriter().string(2, "graph").finish(), encodeGraph(graph)));
  w.message(8, (opset) => opset.string(1, "").int(2, 17));
  return w.finish();
}

/**
 * Appends nodes, inputs and outputs to an existing serialised model without decoding it: a second `graph` field is
 * merged into the first by any protobuf parser. Node names get a distinct prefix so they cannot collide.
 */
export function appendToModel(model: Uint8Array, extra: OnnxGraph): Uint8Array {
  const graph = encodeGraph(extra, 1_000_000);
  const tail = new ProtoWriter().bytes(7, graph).finish();
  return concatBytes(model, tail);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

import { AttrType, type OnnxAttribute, type OnnxNode, type OnnxTensor, OnnxType } from "./onnx-proto.js";

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

export type AttrInput = number | number[] | { float: number } | { tensor: OnnxTensor };

function attribute(name: string, value: AttrInput): OnnxAttribute {
  if (typeof value === "number") return { name, type: AttrType.int, i: value };
  if (Array.isArray(value)) return { name, type: AttrType.ints, ints: value };
  if ("float" in value) return { name, type: AttrType.float, f: value.float };
  return { name, type: AttrType.tensor, t: value.tensor };
}

export function int64Tensor(name: string, values: Array<number | bigint>, dims: number[]): OnnxTensor {
  const data = BigInt64Array.from(values, (v) => BigInt(v));
  return { name, dataType: OnnxType.int64, dims, rawData: new Uint8Array(data.buffer) };
}

/** Collects ONNX nodes and initializers with unique names, in the order they are added (topological). */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();
  private readonly reserved = new Set<string>();

  /** Keeps `name` (a graph input or output) from being handed out, except to an output that asks for it. */
  reserve(name: string): void {
    this.used.add(name);
    this.reserved.add(name);
  }

  private claim(name: string): string {
    if (!this.reserved.delete(name)) return this.fresh(name);
    return name;
  }

  /** A fresh tensor or node name derived from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Adds one node; returns its output names (`outputs` names them, or gives how many to make). */
  add(
    opType: string,
    inputs: string[],
    options: { name: string; attrs?: Record<string, AttrInput>; outputs?: number | string[] },
  ): string[] {
    const nodeName = this.fresh(options.name);
    const outputs =
      typeof options.outputs === "object"
        ? options.outputs.map((o) => this.claim(o))
        : Array.from({ length: options.outputs ?? 1 }, (_, k) =>
            this.fresh(k === 0 ? nodeName : `${nodeName}:${k}`),
          );
    const attribute_ = Object.entries(options.attrs ?? {}).map(([key, value]) => attribute(key, value));
    this.nodes.push({ name: nodeName, opType, input: inputs, output: outputs, attribute: attribute_ });
    return outputs;
  }

  /** Like `add` for single-output nodes. */
  one(opType: string, inputs: string[], name: string, attrs?: Record<string, AttrInput>): string {
    const [out] = this.add(opType, inputs, { name, attrs });
    if (out === undefined) throw new Error(`${opType} ${name}: no output`);
    return out;
  }

  initializer(tensor: OnnxTensor): string {
    const name = this.claim(tensor.name);
    this.initializers.push({ ...tensor, name });
    return name;
  }

  /** An int64 constant (scalar when `dims` is `[]`), shared between users. */
  int64(values: Array<number | bigint>, dims: number[] = [values.length]): string {
    const key = `${dims.join("x")}:${values.join(",")}`;
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const name = this.initializer(int64Tensor(`const_i64_${this.constants.size}`, values, dims));
    this.constants.set(key, name);
    return name;
  }
}

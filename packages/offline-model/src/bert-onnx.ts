import { z } from "zod";
import { GraphBuilder } from "./graph-builder.js";
import { encodeOnnxModel, type OnnxTensor, OnnxType } from "./onnx-proto.js";
import { type F32Tensor, readSafetensors } from "./safetensors.js";

/** The fields of a Hugging Face `config.json` that shape a BERT encoder (MiniLM and bge-small are both BERT). */
export const BertConfig = z.object({
  model_type: z.literal("bert"),
  hidden_size: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  intermediate_size: z.number().int().positive(),
  hidden_act: z.literal("gelu"),
  layer_norm_eps: z.number().positive(),
  position_embedding_type: z.literal("absolute").default("absolute"),
});
export type BertConfig = z.infer<typeof BertConfig>;

/** Bumped whenever the graph below changes, so a cached model built by older code is rebuilt. */
export const BERT_GRAPH_VERSION = 1;

export interface BertBuildOptions {
  /**
   * `int8`: the linear layers' weights are quantized per output column (symmetric int8) and their inputs per batch
   * (DynamicQuantizeLinear, uint8), multiplied with MatMulInteger: ONNX Runtime's integer kernels, about a quarter of
   * the weight bytes. Embeddings, attention products and LayerNorm stay float32.
   */
  quantize?: "int8";
}

function floatTensor(name: string, data: Float32Array, dims: number[]): OnnxTensor {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { name, dataType: OnnxType.float, dims, rawData: bytes };
}

/** A Linear layer's weight [out, in] as the [in, out] right-hand side of MatMul. */
function transposed(tensor: F32Tensor): Float32Array {
  const [rows = 0, cols = 0] = tensor.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = tensor.data[r * cols + c] ?? 0;
  }
  return out;
}

/** A [rows, cols] float matrix as int8, each column scaled to its largest magnitude (symmetric, zero point 0). */
function quantizedColumns(
  matrix: Float32Array,
  rows: number,
  cols: number,
): { values: Uint8Array; scales: Float32Array } {
  const scales = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    let largest = 0;
    for (let r = 0; r < rows; r++) largest = Math.max(largest, Math.abs(matrix[r * cols + c] ?? 0));
    scales[c] = largest > 0 ? largest / 127 : 1;
  }
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++)
      values[r * cols + c] = Math.round((matrix[r * cols + c] ?? 0) / (scales[c] ?? 1));
  }
  return { values: new Uint8Array(values.buffer), scales };
}

/**
 * Builds the ONNX graph of a BERT encoder from its safetensors weights: inputs `input_ids`, `attention_mask`,
 * `token_type_ids` ([batch, sequence] int64), output `last_hidden_state` ([batch, sequence, hidden]), the same
 * interface as the ONNX exports fastembed downloads, so pooling stays in the dense encoder. The graph is the
 * post-LayerNorm transformer of Hugging Face's `BertModel` in inference mode (no dropout), with exact GELU (erf).
 * Same weights in, same bytes out.
 */
export function buildBertOnnx(
  safetensors: Uint8Array,
  config: BertConfig,
  modelName: string,
  options: BertBuildOptions = {},
): Uint8Array {
  const tensors = readSafetensors(safetensors);
  const prefix = ["", "bert.", "model."].find((p) => tensors.has(`${p}embeddings.word_embeddings.weight`));
  if (prefix === undefined) throw new Error("safetensors file has no BERT embeddings.word_embeddings.weight");
  const weight = (name: string): F32Tensor => {
    const found = tensors.get(`${prefix}${name}`);
    if (!found) throw new Error(`safetensors file has no ${prefix}${name}`);
    return found;
  };

  const hidden = config.hidden_size;
  const heads = config.num_attention_heads;
  if (hidden % heads !== 0) throw new Error(`hidden_size ${hidden} is not a multiple of ${heads} heads`);
  const headDim = hidden / heads;
  const g = new GraphBuilder();
  for (const name of ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]) g.reserve(name);

  const init = (name: string, tensor: F32Tensor) =>
    g.initializer(floatTensor(name, tensor.data, tensor.shape));
  const scalar = (name: string, value: number) =>
    g.initializer(floatTensor(name, Float32Array.of(value), []));
  const linear = (x: string, name: string) => {
    const w = weight(`${name}.weight`);
    const [out = 0, inp = 0] = w.shape;
    const bias = init(`${name}.bias`, weight(`${name}.bias`));
    if (options.quantize !== "int8") {
      const rhs = g.initializer(floatTensor(`${name}.weight_t`, transposed(w), [inp, out]));
      return g.one("Add", [g.one("MatMul", [x, rhs], `${name}/MatMul`), bias], `${name}/Add`);
    }
    const { values, scales } = quantizedColumns(transposed(w), inp, out);
    const rhs = g.initializer({
      name: `${name}.weight_q`,
      dataType: OnnxType.int8,
      dims: [inp, out],
      rawData: values,
    });
    const [xq, xScale, xZero] = g.add("DynamicQuantizeLinear", [x], { name: `${name}/quantize`, outputs: 3 });
    if (xq === undefined || xScale === undefined || xZero === undefined)
      throw new Error("DynamicQuantizeLinear");
    const wZero = g.initializer({
      name: `${name}.weight_zero`,
      dataType: OnnxType.int8,
      dims: [],
      rawData: new Uint8Array(1),
    });
    const product = g.one("MatMulInteger", [xq, rhs, xZero, wZero], `${name}/MatMulInteger`);
    const asFloat = g.one("Cast", [product], `${name}/cast`, { to: OnnxType.float });
    const columnScales = g.initializer(floatTensor(`${name}.weight_scale`, scales, [out]));
    const scale = g.one("Mul", [xScale, columnScales], `${name}/scale`);
    return g.one("Add", [g.one("Mul", [asFloat, scale], `${name}/dequantize`), bias], `${name}/Add`);
  };
  const layerNorm = (x: string, name: string, output?: string) => {
    const inputs = [
      x,
      init(`${name}.weight`, weight(`${name}.weight`)),
      init(`${name}.bias`, weight(`${name}.bias`)),
    ];
    const attrs = { axis: -1, epsilon: { float: config.layer_norm_eps } };
    if (output === undefined) return g.one("LayerNormalization", inputs, name, attrs);
    g.add("LayerNormalization", inputs, { name, attrs, outputs: [output] });
    return output;
  };

  // Embeddings: word + position (0..sequence-1) + token type, then LayerNorm.
  const words = g.one(
    "Gather",
    [init("word_embeddings", weight("embeddings.word_embeddings.weight")), "input_ids"],
    "embeddings/words",
  );
  const shape = g.one("Shape", ["input_ids"], "embeddings/shape");
  const sequence = g.one("Gather", [shape, g.int64([1], [])], "embeddings/sequence", { axis: 0 });
  const positionIds = g.one(
    "Range",
    [g.int64([0], []), sequence, g.int64([1], [])],
    "embeddings/position_ids",
  );
  const positions = g.one(
    "Gather",
    [init("position_embeddings", weight("embeddings.position_embeddings.weight")), positionIds],
    "embeddings/positions",
  );
  const types = g.one(
    "Gather",
    [init("token_type_embeddings", weight("embeddings.token_type_embeddings.weight")), "token_type_ids"],
    "embeddings/types",
  );
  const summed = g.one(
    "Add",
    [g.one("Add", [words, positions], "embeddings/add_positions"), types],
    "embeddings/add_types",
  );
  let x = layerNorm(summed, "embeddings.LayerNorm");

  // Additive attention mask [batch, 1, 1, sequence]: 0 where attended, the lowest float where padded (as BertModel).
  const maskFloat = g.one("Cast", ["attention_mask"], "mask/cast", { to: OnnxType.float });
  const mask4 = g.one("Unsqueeze", [maskFloat, g.int64([1, 2])], "mask/unsqueeze");
  const inverted = g.one("Sub", [scalar("one", 1), mask4], "mask/invert");
  const maskBias = g.one("Mul", [inverted, scalar("float_min", -3.4028234663852886e38)], "mask/bias");
  const scale = scalar("attention_scale", 1 / Math.sqrt(headDim));
  const splitHeads = g.int64([0, 0, heads, headDim]);
  const mergeHeads = g.int64([0, 0, hidden]);

  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const p = `encoder.layer.${layer}`;
    const headsOf = (name: string, perm: number[]) =>
      g.one(
        "Transpose",
        [g.one("Reshape", [linear(x, `${p}.attention.self.${name}`), splitHeads], `${p}/${name}/split`)],
        `${p}/${name}/heads`,
        { perm },
      );
    const q = headsOf("query", [0, 2, 1, 3]);
    const k = headsOf("key", [0, 2, 3, 1]);
    const v = headsOf("value", [0, 2, 1, 3]);
    const scores = g.one("Mul", [g.one("MatMul", [q, k], `${p}/scores`), scale], `${p}/scaled`);
    const probs = g.one("Softmax", [g.one("Add", [scores, maskBias], `${p}/masked`)], `${p}/softmax`, {
      axis: -1,
    });
    const context = g.one("Transpose", [g.one("MatMul", [probs, v], `${p}/context`)], `${p}/context/merge`, {
      perm: [0, 2, 1, 3],
    });
    const merged = g.one("Reshape", [context, mergeHeads], `${p}/context/reshape`);
    const attended = linear(merged, `${p}.attention.output.dense`);
    x = layerNorm(g.one("Add", [attended, x], `${p}/attention/residual`), `${p}.attention.output.LayerNorm`);

    // Feed-forward with exact GELU: 0.5 * h * (1 + erf(h / sqrt(2))).
    const h = linear(x, `${p}.intermediate.dense`);
    const erf = g.one(
      "Erf",
      [g.one("Mul", [h, scalar("inv_sqrt2", Math.SQRT1_2)], `${p}/gelu/scale`)],
      `${p}/gelu/erf`,
    );
    const gate = g.one(
      "Mul",
      [g.one("Add", [erf, scalar("one_gelu", 1)], `${p}/gelu/add`), scalar("half", 0.5)],
      `${p}/gelu/half`,
    );
    const activated = g.one("Mul", [h, gate], `${p}/gelu`);
    const out = linear(activated, `${p}.output.dense`);
    const last = layer === config.num_hidden_layers - 1;
    x = layerNorm(
      g.one("Add", [out, x], `${p}/output/residual`),
      `${p}.output.LayerNorm`,
      last ? "last_hidden_state" : undefined,
    );
  }

  const int64Input = (name: string) => ({ name, elemType: OnnxType.int64, shape: ["batch", "sequence"] });
  return encodeOnnxModel({
    irVersion: 8,
    opset: 17,
    producerName: "@hybrid/offline-model",
    producerVersion: String(BERT_GRAPH_VERSION),
    docString: `${modelName}: BERT encoder built from safetensors weights`,
    graphName: "bert",
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [int64Input("input_ids"), int64Input("attention_mask"), int64Input("token_type_ids")],
    outputs: [{ name: "last_hidden_state", elemType: OnnxType.float, shape: ["batch", "sequence", hidden] }],
    metadata: { model: modelName, graph: `bert-v${BERT_GRAPH_VERSION}` },
  });
}

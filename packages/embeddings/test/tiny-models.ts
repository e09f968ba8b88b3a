import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeGraphModel, type Graph, OnnxType } from "./onnx-graph.js";

/**
 * Test fixtures (exported as `@hybrid/embeddings/test-models`, not from the package's index): small ONNX models with a
 * word-level tokenizer, built on the spot, whose outputs are computable by hand. Tests (here and in other packages)
 * and the bench use them where real weights cannot be downloaded. Each directory has the
 * layout fastembed expects of a model (tokenizer.json, config.json, tokenizer_config.json, special_tokens_map.json).
 */

export const TINY_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] as const;
export const TINY_PAD_ID = 0;
export const TINY_CLS_ID = 2;
export const TINY_SEP_ID = 3;

export interface TinyModelDir {
  dir: string;
  /** Word to id, special tokens included; the tokenizer lowercases and splits on whitespace and punctuation. */
  vocab: Map<string, number>;
}

export interface TinyDenseModel extends TinyModelDir {
  /** Row i is the hidden state of token id i: [vocab size, dim], row-major. */
  table: Float32Array;
  dim: number;
}

export interface TinySparseModel extends TinyModelDir {
  /** logits of token id i = embeddings[i] x projection: [vocab, hidden] and [hidden, outputVocab], row-major. */
  embeddings: Float32Array;
  projection: Float32Array;
  hidden: number;
  outputVocab: number;
}

/** Deterministic pseudo-random numbers in [-1, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function vocabOf(words: readonly string[]): Map<string, number> {
  const vocab = new Map<string, number>();
  for (const token of [...TINY_SPECIAL_TOKENS, ...words]) {
    if (!vocab.has(token)) vocab.set(token, vocab.size);
  }
  return vocab;
}

function tokenizerJson(vocab: Map<string, number>): object {
  const special = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: TINY_SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: "Lowercase" },
    pre_tokenizer: { type: "Whitespace" },
    post_processor: {
      type: "TemplateProcessing",
      single: [special("[CLS]"), { Sequence: { id: "A", type_id: 0 } }, special("[SEP]")],
      pair: [
        special("[CLS]"),
        { Sequence: { id: "A", type_id: 0 } },
        special("[SEP]"),
        { Sequence: { id: "B", type_id: 1 } },
        special("[SEP]"),
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [TINY_CLS_ID], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [TINY_SEP_ID], tokens: ["[SEP]"] },
      },
    },
    decoder: null,
    model: { type: "WordLevel", vocab: Object.fromEntries(vocab), unk_token: "[UNK]" },
  };
}

async function writeModelDir(
  dir: string,
  vocab: Map<string, number>,
  modelFile: string,
  graph: Graph,
  maxLength: number,
): Promise<void> {
  await mkdir(join(dir, modelFile, ".."), { recursive: true });
  const json = (name: string, value: object) => writeFile(join(dir, name), JSON.stringify(value));
  await Promise.all([
    writeFile(join(dir, modelFile), encodeGraphModel(graph)),
    json("tokenizer.json", tokenizerJson(vocab)),
    json("config.json", { pad_token_id: TINY_PAD_ID, vocab_size: vocab.size }),
    json("tokenizer_config.json", { model_max_length: maxLength, pad_token: "[PAD]" }),
    json("special_tokens_map.json", {
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      cls_token: "[CLS]",
      sep_token: "[SEP]",
    }),
  ]);
}

const ids = { name: "input_ids", type: OnnxType.int64, dims: ["batch", "seq"] };
const int64 = (name: string, values: number[]) => ({
  name,
  type: OnnxType.int64,
  dims: [values.length],
  data: BigInt64Array.from(values.map(BigInt)),
});

export interface TinyDenseOptions {
  words: readonly string[];
  dim: number;
  seed?: number;
  /**
   * `token`: outputs `last_hidden_state` [batch, seq, dim] = table[input_ids] (inputs as BERT's: input_ids,
   * attention_mask, token_type_ids), for models the encoder pools. `pooled`: outputs `sentence_embedding` [batch, dim],
   * the mean of table[input_ids] over positions whose attention_mask is 1 (inputs input_ids, attention_mask), as the
   * offline model does.
   */
  output: "token" | "pooled";
  maxLength?: number;
}

/** Writes `model.onnx` and the tokenizer files of a tiny dense model into `dir`. */
export async function writeTinyDenseModel(dir: string, options: TinyDenseOptions): Promise<TinyDenseModel> {
  const vocab = vocabOf(options.words);
  const random = seededRandom(options.seed ?? 1);
  const table = Float32Array.from({ length: vocab.size * options.dim }, () => Math.round(random() * 8) / 4);
  const tableInit = { name: "table", type: OnnxType.float, dims: [vocab.size, options.dim], data: table };
  const mask = { name: "attention_mask", type: OnnxType.int64, dims: ["batch", "seq"] };
  const gather = { op: "Gather", inputs: ["table", "input_ids"], attributes: [{ name: "axis", int: 0 }] };
  const graph: Graph =
    options.output === "token"
      ? {
          inputs: [ids, mask, { name: "token_type_ids", type: OnnxType.int64, dims: ["batch", "seq"] }],
          outputs: [{ name: "last_hidden_state", type: OnnxType.float, dims: ["batch", "seq", options.dim] }],
          initializers: [tableInit],
          nodes: [{ ...gather, outputs: ["last_hidden_state"] }],
        }
      : {
          inputs: [ids, mask],
          outputs: [{ name: "sentence_embedding", type: OnnxType.float, dims: ["batch", options.dim] }],
          initializers: [tableInit, int64("axis1", [1]), int64("axis2", [2])],
          nodes: [
            { ...gather, outputs: ["hidden"] },
            {
              op: "Cast",
              inputs: ["attention_mask"],
              outputs: ["maskf"],
              attributes: [{ name: "to", int: 1 }],
            },
            { op: "Unsqueeze", inputs: ["maskf", "axis2"], outputs: ["mask3"] },
            { op: "Mul", inputs: ["hidden", "mask3"], outputs: ["masked"] },
            {
              op: "ReduceSum",
              inputs: ["masked", "axis1"],
              outputs: ["sum"],
              attributes: [{ name: "keepdims", int: 0 }],
            },
            {
              op: "ReduceSum",
              inputs: ["maskf", "axis1"],
              outputs: ["count"],
              attributes: [{ name: "keepdims", int: 1 }],
            },
            { op: "Div", inputs: ["sum", "count"], outputs: ["sentence_embedding"] },
          ],
        };
  await writeModelDir(dir, vocab, "model.onnx", graph, options.maxLength ?? 512);
  return { dir, vocab, table, dim: options.dim };
}

export interface TinySparseOptions {
  words: readonly string[];
  /** Width of the output (SPLADE's is BERT's 30,522-entry vocabulary). */
  outputVocab: number;
  /** Inner width; `embeddings` is the identity when it equals the vocabulary size and `identity` is set. */
  hidden: number;
  identity?: boolean;
  seed?: number;
  maxLength?: number;
}

/**
 * Writes a SPLADE-shaped model into `dir` with the layout of `prithivida/Splade_PP_en_v1` as fastembed 2.1.0 loads it
 * (`onnx/model.onnx`; inputs input_ids, input_mask, segment_ids; output `output` [batch, seq, outputVocab]).
 */
export async function writeTinySparseModel(
  dir: string,
  options: TinySparseOptions,
): Promise<TinySparseModel> {
  const vocab = vocabOf(options.words);
  const random = seededRandom(options.seed ?? 2);
  const { hidden, outputVocab } = options;
  const embeddings = new Float32Array(vocab.size * hidden);
  for (let i = 0; i < vocab.size; i++) {
    for (let h = 0; h < hidden; h++) {
      embeddings[i * hidden + h] = options.identity ? (i === h ? 1 : 0) : random();
    }
  }
  const projection = Float32Array.from({ length: hidden * outputVocab }, () => Math.round(random() * 8) / 4);
  const seqInput = (name: string) => ({ name, type: OnnxType.int64, dims: ["batch", "seq"] });
  const graph: Graph = {
    inputs: [ids, seqInput("input_mask"), seqInput("segment_ids")],
    outputs: [{ name: "output", type: OnnxType.float, dims: ["batch", "seq", outputVocab] }],
    initializers: [
      { name: "embeddings", type: OnnxType.float, dims: [vocab.size, hidden], data: embeddings },
      { name: "projection", type: OnnxType.float, dims: [hidden, outputVocab], data: projection },
    ],
    nodes: [
      {
        op: "Gather",
        inputs: ["embeddings", "input_ids"],
        outputs: ["hidden"],
        attributes: [{ name: "axis", int: 0 }],
      },
      { op: "MatMul", inputs: ["hidden", "projection"], outputs: ["output"] },
    ],
  };
  await writeModelDir(dir, vocab, join("onnx", "model.onnx"), graph, options.maxLength ?? 512);
  return { dir, vocab, embeddings, projection, hidden, outputVocab };
}

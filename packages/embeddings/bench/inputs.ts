import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as ort from "onnxruntime-node";
import { z } from "zod";
import { appendToModel, OnnxType } from "../test/onnx-graph.js";

/** The repository root: the nearest ancestor with pnpm-workspace.yaml. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("no pnpm-workspace.yaml above the bench");
    dir = parent;
  }
  return dir;
}

const CorpusRow = z.object({ _id: z.string(), title: z.string(), text: z.string() });
const QueryRow = z.object({ _id: z.string(), text: z.string() });

function jsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

/** SciFact passages (title + abstract) and claims, from ../shared/datasets/scifact. */
export function loadScifact(): { passages: string[]; queries: string[] } {
  const dir = join(repoRoot(), "..", "shared", "datasets", "scifact");
  const corpus = jsonLines(gunzipSync(readFileSync(join(dir, "corpus.jsonl.gz"))).toString("utf8"));
  const queries = jsonLines(readFileSync(join(dir, "queries.jsonl"), "utf8"));
  return {
    passages: corpus.map((row) => {
      const { title, text } = CorpusRow.parse(row);
      return `${title} ${text}`;
    }),
    queries: queries.map((row) => QueryRow.parse(row).text),
  };
}

/** Every `step`-th item, so a subsample spans the whole file. */
export function spread<T>(items: T[], count: number): T[] {
  if (count >= items.length) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)] as T);
}

/**
 * A model directory fastembed 2.1.0's `FlagEmbedding` can load as a custom model. It reads `last_hidden_state`
 * [batch, seq, dim] and keeps position 0. When the model has that output (the offline model does), its own directory
 * is used; otherwise a copy whose graph gains one Unsqueeze node exposing `sentence_embedding` as [batch, 1, dim]
 * under that name. Either way fastembed runs the whole model, which is what its throughput measures.
 */
export async function fastembedCompatibleDir(modelDir: string, workDir: string): Promise<string> {
  const session = await ort.InferenceSession.create(join(modelDir, "model.onnx"));
  const outputs = session.outputNames;
  await session.release();
  if (outputs.includes("last_hidden_state")) return modelDir;
  const target = join(workDir, "fastembed-model");
  await mkdir(target, { recursive: true });
  for (const file of ["tokenizer.json", "config.json", "tokenizer_config.json", "special_tokens_map.json"]) {
    const from = join(modelDir, file);
    if (existsSync(from)) await copyFile(from, join(target, file));
    else
      await writeFile(
        join(target, file),
        file === "tokenizer_config.json" ? '{"model_max_length":512}' : "{}",
      );
  }
  const model = await readFile(join(modelDir, "model.onnx"));
  const grafted = appendToModel(model, {
    inputs: [],
    outputs: [{ name: "last_hidden_state", type: OnnxType.float, dims: ["batch", 1, "dim"] }],
    initializers: [{ name: "bench_axis1", type: OnnxType.int64, dims: [1], data: BigInt64Array.from([1n]) }],
    nodes: [
      { op: "Unsqueeze", inputs: ["sentence_embedding", "bench_axis1"], outputs: ["last_hidden_state"] },
    ],
  });
  await writeFile(join(target, "model.onnx"), grafted);
  return target;
}

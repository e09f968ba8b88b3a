import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type CorpusRow, readBeirDataset, readCorpus } from "./beir.js";
import { type Bm25Settings, buildBm25Index, FASTEMBED_BM25 } from "./bm25-probe.js";
import { evaluateRun, type ScoredDoc } from "./metrics.js";
import { repoPath } from "./paths.js";

/** `pnpm -F @hybrid/eval bm25-probe --dataset <dir>`: nDCG@10 of in-memory BM25 variants, one setting changed at a time. */
const { values } = parseArgs({
  options: { dataset: { type: "string" } },
  args: process.argv.slice(2).filter((a) => a !== "--"),
});
if (!values.dataset) {
  process.stderr.write("usage: bm25-probe --dataset <BEIR dir>\n");
  process.exit(2);
}
const dataset = await readBeirDataset(resolve(process.env.INIT_CWD ?? process.cwd(), values.dataset));
const stopwords = new Set(
  (await readFile(repoPath("../shared/bm25/english-stopwords.txt"), "utf8")).split(/\r?\n/).filter(Boolean),
);
const rows: CorpusRow[] = [];
for await (const row of readCorpus(dataset.corpusPath)) rows.push(row);
const judged = [...dataset.qrels.keys()].filter((q) => dataset.queries.has(q));
const qrels = new Map(judged.map((q) => [q, dataset.qrels.get(q) ?? new Map<string, number>()]));

const base = FASTEMBED_BM25;
const variants: Bm25Settings[] = [
  base,
  { ...base, name: "recipe, corpus mean length", avgLen: "corpus" },
  { ...base, name: "recipe, k1 0.9 b 0.4 (Anserini)", k1: 0.9, b: 0.4 },
  { ...base, name: "recipe, k1 0.9 b 0.4, corpus mean length", k1: 0.9, b: 0.4, avgLen: "corpus" },
  { ...base, name: "recipe, text only (no title)", title: false },
  { ...base, name: "recipe, no stemming", stem: false },
  { ...base, name: "recipe, no stopword removal", stopwords: false },
];
process.stdout.write(
  `${basename(dataset.dir)}: ${rows.length} documents, ${judged.length} judged queries\n\n`,
);
process.stdout.write(
  "| BM25 variant | mean doc length (tokens) | nDCG@10 | Recall@100 | MRR@10 |\n| --- | ---: | ---: | ---: | ---: |\n",
);
for (const settings of variants) {
  const index = buildBm25Index(rows, settings, stopwords);
  const run = new Map<string, ScoredDoc[]>(
    judged.map((q) => [q, index.search(dataset.queries.get(q) ?? "", 100)]),
  );
  const { mean } = evaluateRun(run, qrels);
  process.stdout.write(
    `| ${settings.name} | ${index.meanLength.toFixed(1)} | ${mean["ndcg@10"].toFixed(4)} | ${mean["recall@100"].toFixed(4)} | ${mean["mrr@10"].toFixed(4)} |\n`,
  );
}

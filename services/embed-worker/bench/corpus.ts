import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { repoRoot } from "@hybrid/stack";
import { z } from "zod";

const CorpusRow = z.object({ _id: z.string(), title: z.string(), text: z.string() });
export type CorpusRow = z.infer<typeof CorpusRow>;

export const SCIFACT_CORPUS = join(repoRoot, "..", "shared", "datasets", "scifact", "corpus.jsonl.gz");

/** The first `limit` SciFact documents (all 5,183 by default). */
export function loadScifactCorpus(limit = Number.POSITIVE_INFINITY): CorpusRow[] {
  const lines = gunzipSync(readFileSync(SCIFACT_CORPUS)).toString("utf8").split("\n");
  const rows: CorpusRow[] = [];
  for (const line of lines) {
    if (rows.length >= limit) break;
    if (line.trim()) rows.push(CorpusRow.parse(JSON.parse(line)));
  }
  return rows;
}

/** The text the producer embeds for a row with the template `{title}. {text}`. */
export function embeddedText(row: CorpusRow): string {
  return `${row.title}. ${row.text}`;
}

/** Writes `rows` as JSON Lines under `dir` and returns the path (the producer reads it as a `file` source). */
export function writeCorpus(dir: string, rows: CorpusRow[]): string {
  const path = join(dir, "scifact-bench.jsonl");
  writeFileSync(path, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
  return path;
}

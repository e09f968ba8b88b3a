import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { repoRoot } from "@hybrid/stack";
import { z } from "zod";

const DATASETS = join(repoRoot, "..", "shared", "datasets");
const SCIFACT_CORPUS = join(DATASETS, "scifact", "corpus.jsonl.gz");
const SCIFACT_QUERIES = join(DATASETS, "scifact", "queries.jsonl");
const STARTUPS = join(DATASETS, "startups-sample", "startups_demo.jsonl");
const SCIFACT_SIZE = 5183;

/** One dataset as both pipelines ingest it: the same file, the same text template, the same payload. */
export interface Dataset {
  name: "startups" | "scifact";
  /** JSON Lines file both sides read (a subset is written to a temp folder). */
  file: string;
  rows: number;
  /** `{field}` template of the embedded text, in both the producer's and Python's syntax. */
  text: string;
  /** Fields left out of the payload: the embedded text, as the tutorial pops the description. */
  drop: string[];
  /** Row id field for this project's deterministic point ids (the tutorial lets the client draw UUIDs). */
  id?: string;
  /** The embedded texts, for the vector check. */
  texts: string[];
}

const Row = z.record(z.string(), z.unknown());

function render(template: string, row: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, field: string) => {
    const value = row[field];
    return value === undefined || value === null ? "" : String(value);
  });
}

function parseLines(lines: string[]): Array<Record<string, unknown>> {
  return lines.filter((line) => line.trim()).map((line) => Row.parse(JSON.parse(line)));
}

/** The startups sample of the tutorial, whole: its text is the description. */
export function startupsDataset(): Dataset {
  const rows = parseLines(readFileSync(STARTUPS, "utf8").split("\n"));
  const text = "{description}";
  return {
    name: "startups",
    file: STARTUPS,
    rows: rows.length,
    text,
    drop: ["description"],
    texts: rows.map((row) => render(text, row)),
  };
}

/** The first `limit` SciFact abstracts (the whole corpus file when the limit covers it), text `{title}. {text}`. */
export function scifactDataset(limit: number, tempDir: string): Dataset {
  const lines = gunzipSync(readFileSync(SCIFACT_CORPUS))
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim());
  const kept = lines.slice(0, limit);
  const file = kept.length >= SCIFACT_SIZE ? SCIFACT_CORPUS : join(tempDir, `scifact-${kept.length}.jsonl`);
  if (file !== SCIFACT_CORPUS) writeFileSync(file, `${kept.join("\n")}\n`);
  const text = "{title}. {text}";
  return {
    name: "scifact",
    file,
    rows: kept.length,
    text,
    drop: ["text"],
    id: "_id",
    texts: parseLines(kept).map((row) => render(text, row)),
  };
}

/** SciFact's 300 test claims, the search load. */
export function scifactQueries(): string[] {
  return parseLines(readFileSync(SCIFACT_QUERIES, "utf8").split("\n")).map((row) =>
    z.string().parse(row.text),
  );
}

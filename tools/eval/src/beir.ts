import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { z } from "zod";

/** Relevance judgments: query id → (document id → grade). Grades are integers; ≥ 1 means relevant. */
export type Qrels = Map<string, Map<string, number>>;

/** A BEIR dataset folder, located and with its small files read; the corpus stays on disk. */
export interface BeirDataset {
  dir: string;
  /** `corpus.jsonl` or `corpus.jsonl.gz`. */
  corpusPath: string;
  corpusGzipped: boolean;
  /** Query id → query text. */
  queries: Map<string, string>;
  qrels: Qrels;
}

/** Thrown for a dataset folder that is missing a file or holds a malformed line; the message names file and line. */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
}

const QueryRow = z.object({ _id: z.union([z.string().min(1), z.number()]), text: z.string() });
const CorpusRow = z.object({
  _id: z.union([z.string().min(1), z.number()]),
  title: z.string().optional().default(""),
  text: z.string().optional().default(""),
});
export type CorpusRow = { id: string; title: string; text: string };

/** Locates the corpus and reads `queries.jsonl` and `qrels/<split>.tsv` of the BEIR folder `dir`. */
export async function readBeirDataset(dir: string, split = "test"): Promise<BeirDataset> {
  const root = resolve(dir);
  const plain = join(root, "corpus.jsonl");
  const gz = join(root, "corpus.jsonl.gz");
  const corpusPath = existsSync(plain) ? plain : existsSync(gz) ? gz : undefined;
  if (!corpusPath) throw new DatasetError(`${root}: neither corpus.jsonl nor corpus.jsonl.gz found`);
  const queries = parseQueries(await readText(join(root, "queries.jsonl")), join(root, "queries.jsonl"));
  const qrelsPath = join(root, "qrels", `${split}.tsv`);
  const qrels = parseQrels(await readText(qrelsPath), qrelsPath);
  return { dir: root, corpusPath, corpusGzipped: corpusPath === gz, queries, qrels };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new DatasetError(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
}

/** Parses BEIR `queries.jsonl` text; `source` names the file in errors. */
export function parseQueries(text: string, source: string): Map<string, string> {
  const queries = new Map<string, string>();
  forEachLine(text, (line, n) => {
    const row = QueryRow.safeParse(parseJson(line, source, n));
    if (!row.success)
      throw new DatasetError(`${source}:${n}: expected {"_id", "text"}: ${row.error.issues[0]?.message}`);
    queries.set(String(row.data._id), row.data.text);
  });
  return queries;
}

/**
 * Parses a BEIR qrels TSV (`query-id<TAB>corpus-id<TAB>score`, header line optional). Also accepts the TREC
 * four-column form (`qid iter docid rel`). A repeated (query, doc) pair keeps the last grade, as trec_eval does.
 */
export function parseQrels(text: string, source: string): Qrels {
  const qrels: Qrels = new Map();
  forEachLine(text, (line, n) => {
    const cells = line.trim().split(/\s+/);
    if (cells.length !== 3 && cells.length !== 4) {
      throw new DatasetError(`${source}:${n}: expected 3 tab-separated columns, got ${cells.length}`);
    }
    const [qid, docId, grade] = cells.length === 3 ? cells : [cells[0], cells[2], cells[3]];
    if (qid === undefined || docId === undefined || grade === undefined) return;
    if (!/^-?\d+$/.test(grade)) {
      if (n === 1) return; // header: query-id corpus-id score
      throw new DatasetError(`${source}:${n}: score ${JSON.stringify(grade)} is not an integer`);
    }
    let judged = qrels.get(qid);
    if (!judged) {
      judged = new Map();
      qrels.set(qid, judged);
    }
    judged.set(docId, Number(grade));
  });
  return qrels;
}

/** Streams the rows of a BEIR corpus (plain or gzipped JSON Lines). */
export async function* readCorpus(path: string): AsyncGenerator<CorpusRow> {
  const input = createReadStream(path);
  const stream = path.endsWith(".gz") ? input.pipe(createGunzip()) : input;
  input.on("error", (error) => stream.destroy(error));
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === "") continue;
    const row = CorpusRow.safeParse(parseJson(line, path, n));
    if (!row.success)
      throw new DatasetError(
        `${path}:${n}: expected {"_id", "title", "text"}: ${row.error.issues[0]?.message}`,
      );
    yield { id: String(row.data._id), title: row.data.title, text: row.data.text };
  }
}

function forEachLine(text: string, fn: (line: string, n: number) => void): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() !== "") fn(line, i + 1);
  }
}

function parseJson(line: string, source: string, n: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new DatasetError(`${source}:${n}: not JSON (${(error as Error).message})`);
  }
}

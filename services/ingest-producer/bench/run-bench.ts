/**
 * Reader throughput: the producer's streaming readers against a baseline in the same run (Node's readline + JSON.parse,
 * the usual way to read JSON Lines), and the CSV and Parquet readers against their bare libraries (csv-parse,
 * hyparquet). Input: the SciFact corpus (../shared/datasets/scifact, 5,183 docs) repeated to ~100 MB (`--mb N` for
 * another size) and fed in 256 KiB chunks, as a file stream would; the Parquet file holds the corpus x4 in row groups
 * of 5,000. Writes bench-results/readers.{json,md}.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteFile } from "hyparquet-writer";
import { createRowMapper } from "../src/rows/map-row.js";
import { readCsv } from "../src/sources/csv-rows.js";
import { readJsonArray } from "../src/sources/json-array.js";
import { readJsonLines } from "../src/sources/json-lines.js";
import { openParquetRows } from "../src/sources/parquet-rows.js";
import { countedFileBuffer } from "../src/sources/parquet-source.js";

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(packageRoot, "../..");
const corpus = gunzipSync(
  await readFile(path.resolve(repoRoot, "../shared/datasets/scifact/corpus.jsonl.gz")),
);
const lines = corpus
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "");
const jsonl = Buffer.from(`${lines.join("\n")}\n`);
const arrayBody = Buffer.from(`${lines.join(",\n")}`);
const mbArg = process.argv.indexOf("--mb");
const targetMb = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 100;
const repeat = Math.max(1, Math.round((targetMb * 1024 * 1024) / jsonl.length));
const CHUNK = 256 * 1024;
const limits = { maxRowBytes: 1024 * 1024 };

async function* chunks(buffer: Buffer, times: number): AsyncGenerator<Buffer> {
  for (let t = 0; t < times; t++)
    for (let i = 0; i < buffer.length; i += CHUNK) yield buffer.subarray(i, i + CHUNK);
}

/** One JSON array holding the corpus `times` over. */
async function* arrayChunks(times: number): AsyncGenerator<Buffer> {
  yield Buffer.from("[\n");
  for (let t = 0; t < times; t++) {
    if (t > 0) yield Buffer.from(",\n");
    yield* chunks(arrayBody, 1);
  }
  yield Buffer.from("\n]\n");
}

interface Result {
  name: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  ratioToBaseline?: number;
  /** For the CSV and Parquet readers: rows/s over their bare library's. */
  ratioToLibrary?: number;
}

async function measure(name: string, bytes: number, run: () => Promise<number>): Promise<Result> {
  await run(); // warm-up on the same input, so JIT state is alike for every contender
  const started = performance.now();
  const rows = await run();
  const seconds = (performance.now() - started) / 1000;
  return { name, rows, seconds, rowsPerSecond: rows / seconds, mbPerSecond: bytes / 1024 / 1024 / seconds };
}

const bytes = jsonl.length * repeat;
const results: Result[] = [];
results.push(
  await measure("baseline: readline + JSON.parse (JSON Lines)", bytes, async () => {
    let rows = 0;
    const reader = createInterface({
      input: Readable.from(chunks(jsonl, repeat)),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of reader) {
      if (line.trim() === "") continue;
      JSON.parse(line);
      rows += 1;
    }
    return rows;
  }),
);
results.push(
  await measure("readJsonLines (JSON Lines)", bytes, async () => {
    let rows = 0;
    for await (const record of readJsonLines(chunks(jsonl, repeat), limits)) if ("value" in record) rows += 1;
    return rows;
  }),
);
results.push(
  await measure("readJsonArray (JSON array)", arrayBody.length * repeat, async () => {
    let rows = 0;
    for await (const record of readJsonArray(arrayChunks(repeat), limits)) if ("value" in record) rows += 1;
    return rows;
  }),
);
const mapRow = createRowMapper(
  { text: "{title} {text}", id: "_id", payload: { include: ["_id", "title"] } },
  "bench",
);
results.push(
  await measure("readJsonLines + row mapping (template, id, payload)", bytes, async () => {
    let rows = 0;
    for await (const record of readJsonLines(chunks(jsonl, repeat), limits))
      if ("rows" in mapRow(record)) rows += 1;
    return rows;
  }),
);
const docs = lines.map((l) => JSON.parse(l) as { _id: string; title: string; text: string });
const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
const csvBody = Buffer.from(
  `${docs.map((d) => [d._id, quote(d.title), quote(d.text)].join(",")).join("\n")}\n`,
);
async function* csvChunks(times: number): AsyncGenerator<Buffer> {
  yield Buffer.from("_id,title,text\n");
  yield* chunks(csvBody, times);
}
const csvBytes = csvBody.length * repeat;
const bareCsv = await measure("bare csv-parse (CSV, header row)", csvBytes, async () => {
  let rows = 0;
  const parser = Readable.from(csvChunks(repeat)).pipe(parse({ columns: true, bom: true }));
  for await (const _ of parser) rows += 1;
  return rows;
});
const oursCsv = await measure("readCsv (CSV: lines, UTF-8 check, skips)", csvBytes, async () => {
  let rows = 0;
  for await (const record of readCsv(csvChunks(repeat), { delimiter: ",", name: "bench", ...limits }))
    if ("value" in record) rows += 1;
  return rows;
});
oursCsv.ratioToLibrary = oursCsv.rowsPerSecond / bareCsv.rowsPerSecond;
results.push(bareCsv, oursCsv);

const parquetDir = await mkdtemp(path.join(tmpdir(), "bench-parquet-"));
const parquetFile = path.join(parquetDir, "corpus.parquet");
const copies = [0, 1, 2, 3].flatMap(() => docs);
parquetWriteFile({
  filename: parquetFile,
  rowGroupSize: 5000,
  columnData: (["_id", "title", "text"] as const).map((name) => ({
    name,
    type: "STRING" as const,
    data: copies.map((d) => d[name]),
  })),
});
const { file: parquetBuffer } = await countedFileBuffer(parquetFile);
const parquetBytes = parquetBuffer.byteLength;
const bareParquet = await measure(
  "bare hyparquet parquetReadObjects (whole file)",
  parquetBytes,
  async () => {
    const rows = await parquetReadObjects({ file: parquetBuffer });
    return rows.length;
  },
);
const oursParquet = await measure("openParquetRows (row group by row group)", parquetBytes, async () => {
  let rows = 0;
  const opened = await openParquetRows(parquetBuffer, { name: "bench", ...limits });
  for await (const record of opened.records) if ("value" in record) rows += 1;
  return rows;
});
oursParquet.ratioToLibrary = oursParquet.rowsPerSecond / bareParquet.rowsPerSecond;
results.push(bareParquet, oursParquet);
await rm(parquetDir, { recursive: true, force: true });

const baseline = results[0]?.rowsPerSecond ?? 1;
for (const r of results) r.ratioToBaseline = r.rowsPerSecond / baseline;

const outDir = path.join(packageRoot, "bench-results");
await mkdir(outDir, { recursive: true });
const meta = {
  node: process.version,
  docs: lines.length,
  repeat,
  megabytes: Math.round(bytes / 1024 / 1024),
  chunkBytes: CHUNK,
};
await writeFile(path.join(outDir, "readers.json"), `${JSON.stringify({ meta, results }, null, 2)}\n`);
const table = [
  `Reader throughput: SciFact corpus x${repeat} (${meta.megabytes} MB, ${lines.length * repeat} rows), ${CHUNK / 1024} KiB chunks, Node ${process.version}`,
  "",
  "| reader | rows/s | MB/s | ratio to baseline | ratio to bare library |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...results.map(
    (r) =>
      `| ${r.name} | ${Math.round(r.rowsPerSecond).toLocaleString("en-US")} | ${r.mbPerSecond.toFixed(1)} | ${(r.ratioToBaseline ?? 0).toFixed(2)} | ${r.ratioToLibrary === undefined ? "" : r.ratioToLibrary.toFixed(2)} |`,
  ),
].join("\n");
await writeFile(path.join(outDir, "readers.md"), `${table}\n`);
process.stdout.write(`${table}\n`);

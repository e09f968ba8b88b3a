/**
 * Memory on a CSV larger than one would hold whole: writes a generated CSV of `--gb N` (default 2) gigabytes to a
 * temporary file, reads it through the file source (openFileSource -> csv-parse) counting rows, samples RSS every
 * 100,000 rows, and removes the file. Prints and writes bench-results/csv-memory.json.
 */
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openFileSource } from "../src/sources/file-source.js";

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const gbArg = process.argv.indexOf("--gb");
const gigabytes = gbArg > 0 ? Number(process.argv[gbArg + 1]) : 2;
const dir = await mkdtemp(path.join(tmpdir(), "csv-memory-"));
const file = path.join(dir, "big.csv");
try {
  const out = createWriteStream(file);
  out.write("id,title,text\n");
  const body = "lorem ipsum, dolor sit amet ".repeat(30);
  let written = 0;
  let rowsWritten = 0;
  while (written < gigabytes * 1024 ** 3) {
    const block = Array.from(
      { length: 1000 },
      (_, i) => `${rowsWritten + i},"Title ${rowsWritten + i}","${body}"\n`,
    ).join("");
    rowsWritten += 1000;
    written += Buffer.byteLength(block);
    if (!out.write(block)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  let rows = 0;
  const started = performance.now();
  const opened = await openFileSource(
    { path: "big.csv", format: "auto" },
    { dataDirs: [dir], maxRowBytes: 1 << 20 },
  );
  for await (const record of opened.records) {
    if ("value" in record) rows += 1;
    if (rows % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - started) / 1000;
  const result = {
    fileBytes: written,
    rows,
    rowsWritten,
    seconds: Math.round(seconds),
    rssBeforeMiB: Math.round(before / 1024 ** 2),
    rssPeakMiB: Math.round(peak / 1024 ** 2),
    rssGrowthMiB: Math.round((peak - before) / 1024 ** 2),
  };
  await mkdir(path.join(packageRoot, "bench-results"), { recursive: true });
  await writeFile(
    path.join(packageRoot, "bench-results", "csv-memory.json"),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (rows !== rowsWritten) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}

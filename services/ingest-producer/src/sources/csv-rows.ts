import type { CsvOptions } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { type CsvError, type Info, type Parser, parse } from "csv-parse";
import { convertColumns } from "./csv-types.js";
import { invalidUtf8Record, type RawRecord, valueRecord } from "./raw-record.js";

const REPLACEMENT_BYTES = Buffer.from([0xef, 0xbf, 0xbd]);

/**
 * Streams CSV or TSV with a header row through csv-parse: the header names the fields, cells stay strings unless
 * `csv.types` gives a column a type, quoted cells may hold delimiters and newlines. `line` is the record's first
 * line in the file (the header is line 1). A record with the wrong number of cells is skipped as `malformed_csv` and reading goes on; a record over `maxRowBytes` (an unclosed quote swallowing the
 * rest of the file, say) fails the read, since there is no telling where the next record starts. Memory holds one
 * chunk's records at a time.
 */
export async function* readCsv(
  chunks: AsyncIterable<Uint8Array>,
  options: { delimiter: string; csv?: CsvOptions | undefined; maxRowBytes: number; name: string },
): AsyncGenerator<RawRecord> {
  const ready: RawRecord[] = [];
  let failure: unknown;
  let bytesBefore = 0;
  const lines = createLineCounter();
  // csv-parse decodes as it goes, turning bytes that are not UTF-8 into U+FFFD; such a row is skipped unless the
  // file holds a literal U+FFFD somewhere before it (then the two cannot be told apart and the row is kept).
  let literalReplacement = false;
  let tail = Buffer.alloc(0);
  let parser: Parser;
  try {
    parser = parse({
      bom: true,
      columns: (names: string[]) => {
        checkTypedColumns(names, options.csv, options.name);
        return names;
      },
      delimiter: options.csv?.delimiter ?? options.delimiter,
      quote: options.csv?.quote ?? '"',
      // A stray quote (`4,"x"y`) is kept as text instead of opening a quote that swallows the following lines.
      relax_quotes: true,
      record_delimiter: ["\r\n", "\n", "\r"],
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: options.maxRowBytes,
      raw: true,
      info: true,
      on_record: ({ record, raw, info }: { record: Record<string, string>; raw: string; info: Info }) => {
        const bytes = info.bytes - bytesBefore;
        bytesBefore = info.bytes;
        const line = lines.lineOf(info.bytes) - innerBreaks(record);
        if (!literalReplacement && raw.includes("\uFFFD"))
          ready.push(invalidUtf8Record(line, bytes, "record"));
        else {
          const converted = convertColumns(record, options.csv?.types);
          ready.push(
            "problem" in converted
              ? { line, bytes, skip: "invalid_value", message: converted.problem }
              : valueRecord(line, bytes, converted.value),
          );
        }
        return null;
      },
      on_skip: (error: CsvError | undefined) => {
        if (error?.code === "CSV_MAX_RECORD_SIZE") {
          failure ??= error;
          return undefined;
        }
        const line = lines.lineOf(parser.info.bytes);
        bytesBefore = parser.info.bytes;
        ready.push({
          line,
          bytes: 0,
          skip: "malformed_csv",
          message: error?.message.replace(/ on line \d+| at line \d+/, "") ?? "malformed record",
        });
        return undefined;
      },
    });
  } catch (error) {
    throw new AppError("BAD_REQUEST", `invalid CSV settings: ${(error as Error).message}`, {
      retryable: false,
      details: { path: "source.csv" },
    });
  }
  parser.on("error", (error) => {
    failure ??= error;
  });
  parser.resume();
  const feed = (chunk: Buffer | undefined) =>
    new Promise<void>((resolve) => {
      if (chunk) parser.write(chunk, () => resolve());
      else parser.end(() => resolve());
    });
  for await (const chunk of chunks) {
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!literalReplacement) {
      literalReplacement = Buffer.concat([tail, buffer]).includes(REPLACEMENT_BYTES);
      tail = Buffer.from(buffer.subarray(Math.max(0, buffer.length - 2)));
    }
    lines.add(buffer);
    await feed(buffer);
    if (failure) throw csvFailure(failure, options);
    yield* ready.splice(0);
  }
  await feed(undefined);
  if (failure) throw csvFailure(failure, options);
  yield* ready.splice(0);
}

/**
 * Line numbers from byte offsets: csv-parse's own count drifts after blank CRLF lines, so the newlines fed to it
 * are counted here. `lineOf(end)` is the line of the last byte before `end` that is not the record's newline.
 */
function createLineCounter() {
  let offset = 0;
  let newlines: number[] = [];
  let next = 0;
  let passed = 0;
  return {
    add(chunk: Buffer) {
      if (next > 0) {
        newlines = newlines.slice(next);
        next = 0;
      }
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) newlines.push(offset + i);
      offset += chunk.length;
    },
    lineOf(end: number): number {
      while (next < newlines.length && (newlines[next] as number) < end - 1) {
        next += 1;
        passed += 1;
      }
      return passed + 1;
    },
  };
}

/** Line breaks inside a record's quoted cells: the record starts that many lines before it ends. */
function innerBreaks(record: Record<string, string>): number {
  let breaks = 0;
  for (const cell of Object.values(record)) {
    for (let i = cell.indexOf("\n"); i !== -1; i = cell.indexOf("\n", i + 1)) breaks += 1;
  }
  return breaks;
}

function checkTypedColumns(names: string[], csv: CsvOptions | undefined, name: string): void {
  const missing = Object.keys(csv?.types ?? {}).filter((column) => !names.includes(column));
  if (missing.length) {
    throw new AppError(
      "BAD_REQUEST",
      `${name}: csv.types names columns the header does not have: ${missing.join(", ")} (header: ${names.join(", ")})`,
      { retryable: false, details: { path: "source.csv.types" } },
    );
  }
}

function csvFailure(error: unknown, options: { maxRowBytes: number; name: string }): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("CSV_")) return error;
  const line = (error as { lines?: unknown }).lines;
  const message =
    code === "CSV_MAX_RECORD_SIZE"
      ? `a record starting before line ${line} is larger than ${options.maxRowBytes} bytes (MAX_ROW_BYTES); an unclosed quote?`
      : (error as Error).message;
  return new AppError("BAD_REQUEST", `${options.name} is not readable as CSV: ${message}`, {
    retryable: false,
  });
}

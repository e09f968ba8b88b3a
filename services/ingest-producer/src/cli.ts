import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { parseCliArgs, USAGE, UsageError } from "./cli/parse-cli-args.js";
import { describeReader, renderProgress, renderSummary } from "./cli/render-progress.js";
import { uploadQuery } from "./cli/upload-query.js";
import { IngestionView } from "./ingest/ingestion-view.js";

/** The error body every producer route answers with. */
const ErrorBody = z.object({ error: z.object({ message: z.string() }) });
/** What the CLI shows of `GET /v1/jobs/:id/failures`. */
const Failures = z.object({ failures: z.array(z.object({ batchIndex: z.number(), error: z.string() })) });

/** `pnpm ingest`: submits a job to the producer API and follows it with a progress line until it ends. */
async function main(): Promise<number> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2), process.env, process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const auth: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const call = async (method: string, path: string, body?: unknown, init: RequestInit = {}) => {
    const response = await fetch(`${options.url}${path}`, {
      method,
      headers: { "content-type": "application/json", ...auth },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...init,
    });
    const json: unknown = await response.json().catch(() => ({}));
    if (!response.ok) {
      const body = ErrorBody.safeParse(json);
      const message = body.success ? body.data.error.message : response.statusText;
      throw new Error(`${method} ${path}: ${response.status} ${message}`);
    }
    return json;
  };

  let submitted: unknown;
  if (options.upload) {
    // The file is streamed, never held in memory; the producer spools it and reads it from there.
    const { path: file, read } = options.upload;
    const size = statSync(file).size;
    process.stderr.write(`uploading ${file} (${size} bytes)\n`);
    submitted = await call("POST", `/v1/jobs/upload?${uploadQuery(options.body, file, read)}`, undefined, {
      headers: { "content-type": "application/octet-stream", "content-length": String(size), ...auth },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit);
  } else submitted = await call("POST", "/v1/jobs", options.body);
  const created = IngestionView.parse(submitted);
  if (!options.wait) {
    process.stdout.write(`${created.id}\n`);
    return 0;
  }
  process.stderr.write(`submitted ${created.id} (status: ${options.url}/v1/jobs/${created.id})\n`);
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  let view = created;
  let readerShown = false;
  for (;;) {
    view = IngestionView.parse(await call("GET", `/v1/jobs/${created.id}`));
    const done = view.ended;
    if (view.reader && !readerShown) {
      readerShown = true;
      process.stderr.write(`${tty ? "\r\x1b[2K" : ""}${describeReader(view.reader)}\n`);
    }
    if (tty) process.stderr.write(`\r\x1b[2K${renderProgress(view)}`);
    else if (done || Date.now() - lastPrinted > 5000) {
      process.stderr.write(`${renderProgress(view)}\n`);
      lastPrinted = Date.now();
    }
    if (done) break;
    await sleep(500);
  }
  if (tty) process.stderr.write("\n");
  const failures =
    view.batches.failed > 0 ? Failures.parse(await call("GET", `/v1/jobs/${view.id}/failures`)).failures : [];
  process.stdout.write(`${renderSummary(view, failures)}\n`);
  return view.state === "completed" ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof UsageError ? "" : "ingest: "}${(error as Error).message}\n`);
    process.exit(1);
  },
);

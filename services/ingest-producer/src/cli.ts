import { setTimeout as sleep } from "node:timers/promises";
import { parseCliArgs, USAGE, UsageError } from "./cli/parse-cli-args.js";
import { renderProgress, renderSummary } from "./cli/render-progress.js";
import { IngestionView } from "./ingest/ingestion-view.js";

/** `pnpm ingest`: submits a job to the producer API and follows it with a progress line until it ends. */
async function main(): Promise<number> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2), process.env, process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${options.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = (json as { error?: { message?: string } }).error;
      throw new Error(`${method} ${path}: ${response.status} ${error?.message ?? response.statusText}`);
    }
    return json;
  };

  const created = IngestionView.parse(await call("POST", "/v1/jobs", options.body));
  if (!options.wait) {
    process.stdout.write(`${created.id}\n`);
    return 0;
  }
  process.stderr.write(`submitted ${created.id} (status: ${options.url}/v1/jobs/${created.id})\n`);
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  let view = created;
  for (;;) {
    view = IngestionView.parse(await call("GET", `/v1/jobs/${created.id}`));
    const done = ["completed", "failed", "cancelled"].includes(view.state);
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
    view.batches.failed > 0
      ? (
          (await call("GET", `/v1/jobs/${view.id}/failures`)) as {
            failures: Array<{ batchIndex: number; error: string }>;
          }
        ).failures
      : [];
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

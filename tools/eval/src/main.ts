import { startStack } from "@hybrid/stack";
import { Presets, SingleBar } from "cli-progress";
import { DatasetError } from "./beir.js";
import { parseEvalArgs, UsageError } from "./cli-args.js";
import { runEvalCommand } from "./eval-command.js";
import { ApiError } from "./http-json.js";
import { repoRoot } from "./paths.js";
import { type EvalProgress, EvalRunError } from "./run-eval.js";

const bar = new SingleBar(
  {
    format: "{phase} [{bar}] {value}/{total} {detail}",
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  },
  Presets.shades_classic,
);
let phase: EvalProgress["phase"] | undefined;

function showProgress(p: EvalProgress): void {
  const total = p.phase === "ingest" ? p.documents : p.total;
  const detail = p.phase === "ingest" ? `points, job ${p.state}` : `searches (${p.mode})`;
  const label = p.phase === "ingest" ? "ingest" : "search";
  if (phase !== p.phase) {
    if (phase) bar.stop();
    phase = p.phase;
    bar.start(total, p.done, { phase: label, detail });
  } else {
    bar.update(Math.min(p.done, total), { phase: label, detail });
  }
}

const note = (line: string) => process.stderr.write(`[eval] ${line}\n`);
let stopStack: (() => Promise<void>) | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    bar.stop();
    note(`${signal}: stopping`);
    void (stopStack?.() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

try {
  const args = parseEvalArgs(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd(), repoRoot());
  const { files, table, report } = await runEvalCommand(args, {
    startStack,
    env: process.env,
    note,
    onProgress: showProgress,
    onStack: (stop) => {
      stopStack = stop;
    },
  });
  bar.stop();
  process.stdout.write(
    `\n${report.dataset.name}: ${report.dataset.documents} documents, ${report.dataset.queries} judged queries, ` +
      `dense ${report.models.dense}, sparse ${report.models.sparse} (ingest ${report.ingestSeconds} s, ` +
      `search ${report.searchSeconds} s)\n\n${table}\nwrote ${files.json}, ${files.markdown}, ${files.chart}\n`,
  );
  if (report.failedSearches > 0) {
    note(
      `${report.failedSearches} of ${report.searches} searches failed (listed in ${files.markdown}); ` +
        "the figures are over the queries that answered",
    );
  }
} catch (error) {
  bar.stop();
  // Expected failures (bad input, a service answering wrong, lost documents) get their message; anything else its stack.
  const expected = [UsageError, DatasetError, ApiError, EvalRunError].some((type) => error instanceof type);
  note(
    expected ? `failed: ${(error as Error).message}` : `failed: ${(error as Error).stack ?? String(error)}`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
}

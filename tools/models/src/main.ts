import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfigOrExit, ModelEnv, modelsOf } from "@hybrid/config";
import { DENSE_MODEL_NAMES, denseModelSpec, SPARSE_MODEL_NAMES } from "@hybrid/embeddings";
import cliProgress from "cli-progress";
import { KNOWN_MODELS, pullModels, unknownModels } from "./pull-models.js";

const USAGE = `usage: pnpm models pull [NAME...] [--from FOLDER_OR_ARCHIVE]   (default: DENSE_MODEL and SPARSE_MODEL)
       pnpm models list`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const { positionals, values } = (() => {
    try {
      return parseArgs({ allowPositionals: true, options: { from: { type: "string" } } });
    } catch (error) {
      return fail(`${(error as Error).message}\n${USAGE}`);
    }
  })();
  const [command, ...names] = positionals;
  const models = modelsOf(loadConfigOrExit(ModelEnv, process.env));
  if (command === "list") {
    for (const name of [...DENSE_MODEL_NAMES, ...SPARSE_MODEL_NAMES]) {
      const spec = DENSE_MODEL_NAMES.includes(name) ? denseModelSpec(name) : undefined;
      const dirName = spec?.source.kind === "fastembed" ? spec.source.dirName : undefined;
      const cached = dirName && existsSync(join(models.cacheDir, dirName)) ? " (cached)" : "";
      process.stdout.write(
        `${name}${spec ? `  ${spec.dim}d ${spec.pooling} pooling` : "  sparse"}${cached}\n`,
      );
    }
    return;
  }
  if (command !== "pull") fail(USAGE);
  const wanted = names.length > 0 ? names : [models.dense, models.sparse];
  const unknown = unknownModels(wanted);
  if (unknown.length > 0)
    fail(`unknown model ${unknown.map((n) => `"${n}"`).join(", ")}: use one of ${KNOWN_MODELS()}`);

  const bar = new cliProgress.SingleBar(
    {
      format: "{model} [{bar}] {percentage}% {received}/{size} MB",
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const sources = {
    ...models.sources,
    localPath: values.from ?? models.sources.localPath,
    showPipOutput: true,
    onProgress: ({ model, received, total }: { model: string; received: number; total?: number }) => {
      const mb = (n: number) => (n / 1e6).toFixed(1);
      const payload = { model, received: mb(received), size: total ? mb(total) : "?" };
      if (!started) bar.start(total ?? received, received, payload);
      started = true;
      bar.update(received, payload);
    },
  };
  try {
    for (const result of await pullModels(wanted, models.cacheDir, sources)) {
      process.stdout.write(`${result.model}: ${result.dir ?? result.note}\n`);
    }
  } catch (error) {
    fail((error as Error).message, 1);
  } finally {
    if (started) bar.stop();
  }
}

await main();

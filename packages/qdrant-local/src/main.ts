import { parseArgs } from "node:util";
import { createLogger } from "@hybrid/logger";
import { loadDenseModels } from "./inference/dense-models.js";
import { type QdrantLocal, startQdrantLocal } from "./server.js";

const USAGE =
  "usage: qdrant-local [--host 127.0.0.1] [--port 6333] [--storage DIR] [--api-key KEY] [--log-level info]\n" +
  "                    [--dense-model NAME | CLOUD_NAME=MODEL]... [--model-cache .cache/models]\n" +
  "  the key may come from QDRANT__SERVICE__API_KEY instead (Qdrant's own variable; keeps it off the command line)";

async function main(): Promise<void> {
  let values: {
    host?: string;
    port?: string;
    storage?: string;
    "api-key"?: string;
    "log-level"?: string;
    "dense-model"?: string[];
    "model-cache"?: string;
    help?: boolean;
  };
  try {
    // `pnpm start -- --port 1` hands the script a leading "--"; skip it.
    const args = process.argv.slice(2);
    if (args[0] === "--") args.shift();
    ({ values } = parseArgs({
      args,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        storage: { type: "string" },
        "api-key": { type: "string" },
        "log-level": { type: "string" },
        "dense-model": { type: "string", multiple: true },
        "model-cache": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port ?? "6333");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer from 0 to 65535, got ${values.port}\n${USAGE}\n`);
    process.exit(2);
  }
  const logger = createLogger({ name: "qdrant-local", level: values["log-level"] ?? "info" });
  const apiKey = values["api-key"] || process.env.QDRANT__SERVICE__API_KEY || undefined;
  // Signal handlers go in before anything is announced, so a stop sent right after the ready line is never lost.
  let server: QdrantLocal | undefined;
  let stopping = false;
  let closeModels = async () => {};
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "qdrant-local stopping");
    if (!server) return; // still starting: the start path closes it
    server
      .close()
      .then(closeModels)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "qdrant-local failed to close cleanly");
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Dense models for inference documents (qdrant/bm25 needs none); loaded before the port opens, so a ready server
  // never answers "not provisioned" for a model it was asked to serve.
  const dense = await loadDenseModels({
    specs: values["dense-model"] ?? [],
    cacheDir: values["model-cache"] ?? ".cache/models",
  });
  closeModels = dense.close;
  server = await startQdrantLocal({
    inference: dense.models,
    host: values.host ?? "127.0.0.1",
    port,
    ...(values.storage ? { storage: values.storage } : {}),
    ...(apiKey ? { apiKey } : {}),
    logger,
  });
  if (stopping) {
    await server.close();
    process.exit(0);
  }
  const denseModels = [...(dense.models.dense?.keys() ?? [])];
  logger.info(
    { url: server.url, storage: values.storage ?? null, apiKey: apiKey !== undefined, denseModels },
    `qdrant-local ready at ${server.url}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `qdrant-local failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});

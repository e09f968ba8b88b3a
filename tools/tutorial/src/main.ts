import { parseArgs } from "node:util";
import { QdrantClient } from "@qdrant/js-client-rest";
import { fetchDatasetRows } from "./dataset-rows.js";
import { createTutorialCollection, hybridQuery, TUTORIAL, upsertRows } from "./tutorial.js";

// The one place that reads the environment: QDRANT_URL / QDRANT_API_KEY (a Qdrant with inference: Qdrant Cloud, or the
// local mode started with --dense-model sentence-transformers/all-MiniLM-L6-v2), HF_DATASETS_URL / HF_TOKEN.
const { values } = parseArgs({
  options: {
    collection: { type: "string", default: TUTORIAL.collection },
    dataset: { type: "string", default: TUTORIAL.dataset },
    split: { type: "string", default: TUTORIAL.split },
    query: { type: "string", default: TUTORIAL.query },
  },
});
const client = new QdrantClient({
  url: process.env.QDRANT_URL ?? "http://127.0.0.1:6333",
  ...(process.env.QDRANT_API_KEY ? { apiKey: process.env.QDRANT_API_KEY } : {}),
});
try {
  const rows = await fetchDatasetRows({
    baseUrl: process.env.HF_DATASETS_URL ?? "https://datasets-server.huggingface.co",
    dataset: values.dataset,
    split: values.split,
    ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
  });
  await createTutorialCollection(client, values.collection);
  const { points, upserts } = await upsertRows(client, values.collection, rows);
  process.stdout.write(
    `upserted ${points} rows of ${values.dataset} (${values.split}) in ${upserts} batches\n`,
  );
  const hits = await hybridQuery(client, values.collection, values.query);
  process.stdout.write(`${values.query}\n`);
  for (const hit of hits) {
    const payload = hit.payload ?? {};
    const text = String(payload[TUTORIAL.textField] ?? "")
      .slice(0, 120)
      .replace(/\s+/g, " ");
    process.stdout.write(`${hit.score.toFixed(4)}  ${String(payload.qa_id ?? hit.id)}  ${text}\n`);
  }
} catch (error) {
  process.stderr.write(`tutorial failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

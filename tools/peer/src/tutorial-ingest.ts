import { join } from "node:path";
import { spawnManaged } from "@hybrid/stack";
import { z } from "zod";
import type { Dataset } from "./datasets.js";
import { type IngestMeasure, measureOf, round } from "./ingest-measure.js";
import type { TutorialModelDirs } from "./model-dirs.js";
import { meterGroups } from "./proc-stats.js";
import { PYTHON_DIR } from "./python-env.js";
import { countPoints, watchFirstPoint } from "./store-client.js";

const Event = z.object({ event: z.string(), t: z.number() });

/** The environment the tutorial scripts read their model folders from. */
export function tutorialEnv(models: TutorialModelDirs): Record<string, string | undefined> {
  return { ...process.env, PEER_DENSE_DIR: models.denseDir, PEER_BM25_DIR: models.bm25Dir };
}

/**
 * The tutorial's ingestion as a Python process (`tutorial_ingest.py`). The ingestion request is the
 * `upload_collection` call, which the script announces: from then on the CPU and memory of its process group (the
 * interpreter, the forkserver, both worker pools) are metered, as this project's are from the job's submit. Python's
 * start, its imports and reading the rows come before and are reported apart.
 */
export async function ingestTutorial(options: {
  python: string;
  qdrantUrl: string;
  storeGroup: number;
  dataset: Dataset;
  collection: string;
  parallel: number;
  models: TutorialModelDirs;
  log: (line: string) => void;
}): Promise<IngestMeasure> {
  const { dataset, collection, qdrantUrl } = options;
  const events = new Map<string, number>();
  let usage: ReturnType<typeof meterGroups> | undefined;
  const store = meterGroups([options.storeGroup]);
  const firstPoint = watchFirstPoint(qdrantUrl, collection);
  const launchedAt = Date.now();
  const child = spawnManaged({
    name: "tutorial-ingest",
    command: options.python,
    args: [
      join(PYTHON_DIR, "tutorial_ingest.py"),
      "--url",
      qdrantUrl,
      "--collection",
      collection,
      "--file",
      dataset.file,
      "--text",
      dataset.text,
      ...dataset.drop.flatMap((field) => ["--drop", field]),
      "--parallel",
      String(options.parallel),
    ],
    cwd: PYTHON_DIR,
    env: tutorialEnv(options.models),
    onLine: (_prefixed, raw) => {
      if (!raw.startsWith("{")) return;
      const parsed = Event.safeParse(JSON.parse(raw));
      if (!parsed.success) return;
      events.set(parsed.data.event, parsed.data.t * 1000);
      if (parsed.data.event === "upload") usage = meterGroups([child.pid]);
    },
  });
  const exit = await child.exited;
  const exitedAt = Date.now();
  const tutorial = usage?.stop();
  const storeUsage = store.stop();
  firstPoint.stop();
  if (exit.code !== 0) {
    throw new Error(
      `tutorial_ingest.py exited with ${exit.code ?? exit.signal}:\n${child.logs().slice(-3000)}`,
    );
  }
  const requestAt = events.get("upload");
  const doneAt = events.get("done");
  if (requestAt === undefined || doneAt === undefined || !tutorial)
    throw new Error("tutorial_ingest.py announced no upload");
  options.log(`  tutorial: launch to exit ${round((exitedAt - launchedAt) / 1000)} s`);
  const base = {
    side: "tutorial" as const,
    dataset: dataset.name,
    rows: dataset.rows,
    points: await countPoints(qdrantUrl, collection),
    startSeconds: round((requestAt - launchedAt) / 1000),
  };
  return measureOf(base, { requestAt, firstPointAt: await firstPoint.at, doneAt }, tutorial, storeUsage);
}

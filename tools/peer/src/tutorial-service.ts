import { join } from "node:path";
import { freePort, type ManagedProcess, spawnManaged, waitReady } from "@hybrid/stack";
import type { TutorialModelDirs } from "./model-dirs.js";
import { PYTHON_DIR } from "./python-env.js";
import { tutorialEnv } from "./tutorial-ingest.js";

/**
 * The tutorial's FastAPI service (`tutorial_service.py` under uvicorn) over one collection; ready once it answers.
 * `asWritten` leaves out the lock the bench adds around `query_points` (see the script).
 */
export async function startTutorialService(options: {
  python: string;
  qdrantUrl: string;
  collection: string;
  models: TutorialModelDirs;
  asWritten?: boolean;
}): Promise<{ url: string; process: ManagedProcess }> {
  const port = await freePort();
  const child = spawnManaged({
    name: "tutorial-service",
    command: options.python,
    args: [join(PYTHON_DIR, "tutorial_service.py"), "--port", String(port)],
    cwd: PYTHON_DIR,
    env: {
      ...tutorialEnv(options.models),
      PEER_QDRANT_URL: options.qdrantUrl,
      PEER_COLLECTION: options.collection,
      PEER_AS_WRITTEN: options.asWritten ? "1" : "0",
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, { path: "/healthz", abortOn: child.exited, name: child.name, timeoutMs: 120_000 });
  } catch (error) {
    await child.kill();
    throw new Error(`${(error as Error).message}\n${child.logs().slice(-3000)}`);
  }
  return { url, process: child };
}

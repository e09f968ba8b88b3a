import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { createEncoder } from "@hybrid/embeddings";
import { createQdrantConnection, ensureCollection, pointId, upsertPoints } from "@hybrid/store";
import { z } from "zod";
import { type RunningChild, spawnNodeUntil } from "../test/support/child.js";
import { MODEL_CACHE_DIR, MODELS, REPO_ROOT, SERVICE_DIR } from "../test/support/paths.js";
import { passageVectors, readScifactPassages, readScifactQueries } from "./scifact-points.js";

// CPU profile of the service at concurrency 1 (the bench's setting where its own cost shows): the bench's 10k SciFact
// points in the local mode, the service under `node --cpu-prof`, `PROFILE_REQUESTS` sequential cached searches, then
// the profile's busy time per request grouped by where the code lives. The .cpuprofile opens in Chrome DevTools.

const DIR = resolve(REPO_ROOT, ".cache/profile");
const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? 3000);
const COLLECTION = "scifact_bench";
const children: RunningChild[] = [];
const log = (line: string) => process.stdout.write(`[profile] ${line}\n`);

async function main(): Promise<void> {
  const qdrant = await spawnNodeUntil({
    args: ["--import", "tsx", resolve(REPO_ROOT, "packages/qdrant-local/src/main.ts"), "--port", "0"],
    cwd: resolve(REPO_ROOT, "packages/qdrant-local"),
    env: {},
    timeoutMs: 120_000,
    match: (line) => (typeof line.url === "string" ? line.url : undefined),
  });
  children.push(qdrant.child);
  const encoder = await createEncoder({
    ...MODELS,
    cacheDir: MODEL_CACHE_DIR,
    onnxThreads: 0,
    queryCacheSize: 0,
  });
  const passages = await readScifactPassages(10_000);
  const { vectors } = await passageVectors(encoder, passages, log);
  const spec = {
    dense: encoder.dense.model,
    denseDim: encoder.dense.dim,
    distance: "Cosine" as const,
    sparse: encoder.sparse.model,
    sparseModifier: encoder.sparse.modifier,
  };
  await encoder.close();
  const store = createQdrantConnection({ url: qdrant.value, timeoutMs: 120_000 });
  await ensureCollection(store, COLLECTION, spec);
  for (let i = 0; i < passages.length; i += 500) {
    const points = passages.slice(i, i + 500).map((p, j) => {
      const v = vectors[i + j] ?? { dense: [], sparse: { indices: [], values: [] } };
      return { id: pointId(COLLECTION, p.key, 0), dense: v.dense, sparse: v.sparse, payload: p.payload };
    });
    await upsertPoints(store, COLLECTION, points);
  }
  await store.close();
  const bodies = (await readScifactQueries()).map((query) => JSON.stringify({ query, limit: 10 }));

  await rm(DIR, { recursive: true, force: true });
  await mkdir(DIR, { recursive: true });
  const service = await spawnNodeUntil({
    args: ["--cpu-prof", `--cpu-prof-dir=${DIR}`, "--import", "tsx", "src/main.ts"],
    cwd: SERVICE_DIR,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      QDRANT_URL: qdrant.value,
      DEFAULT_COLLECTION: COLLECTION,
      MODEL_CACHE_DIR,
      LOG_LEVEL: "info",
      LOG_PRETTY: "false",
    },
    timeoutMs: 120_000,
    match: (line) =>
      line.msg === "query API listening" && typeof line.port === "number" ? line.port : undefined,
  });
  children.push(service.child);
  const url = `http://127.0.0.1:${service.value}`;
  while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 200));
  for (const body of bodies) await search(url, body);
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) await search(url, bodies[i % bodies.length] ?? "");
  const elapsedMs = performance.now() - started;
  log(`${REQUESTS} sequential searches, mean ${(elapsedMs / REQUESTS).toFixed(3)} ms`);
  await service.child.stop("SIGTERM");
  // The main thread's profile is the larger one (tsx's loader thread writes its own).
  const files = (await readdir(DIR)).filter((f) => f.endsWith(".cpuprofile"));
  const profiles = await Promise.all(
    files.map(async (f) => ({ f, text: await readFile(resolve(DIR, f), "utf8") })),
  );
  const main = profiles.sort((a, b) => b.text.length - a.text.length)[0];
  if (!main) throw new Error("no profile written");
  log(`profile: ${resolve(DIR, main.f)}`);
  summarise(CpuProfile.parse(JSON.parse(main.text)), elapsedMs, REQUESTS);
}

const CpuProfile = z.object({
  nodes: z.array(
    z.object({ id: z.number(), callFrame: z.object({ functionName: z.string(), url: z.string() }) }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Self time of the last `windowMs` of the profile (the measured searches) per request, by package or runtime part. */
function summarise(profile: z.infer<typeof CpuProfile>, windowMs: number, requests: number): void {
  const where = new Map(profile.nodes.map((n) => [n.id, groupOf(n.callFrame)]));
  const end = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const totals = new Map<string, number>();
  let t = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (end - t > windowMs * 1000) return;
    const group = where.get(id) ?? "?";
    totals.set(group, (totals.get(group) ?? 0) + delta);
  });
  const busy = [...totals].filter(([g]) => g !== "(idle)").reduce((a, [, us]) => a + us, 0);
  log(`busy ${(busy / 1000 / requests).toFixed(3)} ms of CPU per search`);
  for (const [group, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    if (group === "(idle)") continue;
    log(`${((us / 1000 / requests) * 1000).toFixed(0).padStart(5)} µs  ${group}`);
  }
}

function groupOf({ functionName, url }: { functionName: string; url: string }): string {
  const npm = url.match(/node_modules\/\.pnpm\/(@?[^@/]+(?:\+[^@/]+)?)@/);
  if (npm?.[1]) return `npm ${npm[1].replace("+", "/")}`;
  const own = url.match(/\/(packages|services)\/([^/]+)\//);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith("node:")) return url.replace(/^node:internal\//, "node ");
  return functionName || "(native)";
}

async function search(url: string, body: string): Promise<void> {
  const res = await fetch(`${url}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`/v1/search answered ${res.status}`);
}

try {
  await main();
} finally {
  await Promise.all(children.map((c) => c.stop("SIGKILL")));
}

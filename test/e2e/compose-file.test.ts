import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot } from "@hybrid/stack";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createComposeValidator } from "../src/compose/compose-schema.js";
import { parseCopyInstructions } from "../src/compose/dockerfile.js";
import { interpolate } from "../src/compose/interpolate.js";

// No container engine runs here: the compose file is checked against the Compose Specification's JSON schema after
// compose-style interpolation, and every path it and its Dockerfiles name is checked to exist.

interface Service {
  image?: string;
  command?: string[];
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: string | number };
  volumes?: string[];
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const composeText = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");
const load = (env: Record<string, string> = {}) =>
  interpolate(parse(composeText, { merge: true }), env) as ComposeFile;
const validate = createComposeValidator();

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification schema, with defaults and with overrides", () => {
    const envs: Array<Record<string, string>> = [
      {},
      { WORKER_REPLICAS: "5", QDRANT_API_KEY: "k", QUERY_PORT: "9000" },
    ];
    for (const env of envs) {
      const ok = validate(load(env));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("the validator rejects a broken file (so the check above can fail)", () => {
    const broken = load();
    (broken.services.redis as Record<string, unknown>).healthcheck = {
      test: ["CMD", "redis-cli", "ping"],
      intervall: "5s",
    };
    (broken.services["embed-worker"] as Record<string, unknown>).deploy = { replicas: [2] };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(["/services/redis/healthcheck", "/services/embed-worker/deploy/replicas"]),
    );
  });

  it("has the five services the issue asks for, with the pinned Qdrant image and append-only Redis on volumes", () => {
    const { services, volumes } = load();
    const always = Object.entries(services).filter(([, s]) => !s.profiles);
    expect(always.map(([name]) => name).sort()).toEqual([
      "embed-worker",
      "ingest-producer",
      "qdrant",
      "query-api",
      "redis",
    ]);
    expect(services.qdrant?.image).toBe("qdrant/qdrant:v1.18.3");
    expect(services.redis?.command?.join(" ")).toMatch(/--appendonly yes/);
    expect(services.redis?.volumes).toContain("redis-data:/data");
    expect(services.qdrant?.volumes).toContain("qdrant-data:/qdrant/storage");
    for (const name of ["ingest-producer", "embed-worker", "query-api"]) {
      expect(services[name]?.volumes, `${name} mounts the shared model cache`).toContain("models:/models");
      expect(services[name]?.environment?.MODEL_CACHE_DIR).toBe("/models");
      // The pinned Qdrant computes BM25 itself (1.15.3+) but has no dense inference: mixed mode.
      expect(services[name]?.environment?.INFERENCE).toBe("mixed");
    }
    // The producer's data is read-only; uploads are spooled on a volume of their own.
    expect(services["ingest-producer"]?.volumes).toContain("uploads:/uploads");
    expect(services["ingest-producer"]?.environment?.UPLOAD_DIR).toBe("/uploads");
    expect(Object.keys(volumes).sort()).toEqual([
      "models",
      "qdrant-2-data",
      "qdrant-3-data",
      "qdrant-data",
      "redis-data",
      "uploads",
    ]);
  });

  it("runs Qdrant as a three-peer cluster with its env file: peers bootstrap from the first, services shard", () => {
    const env = Object.fromEntries(
      readFileSync(join(repoRoot, "infra/compose/qdrant-cluster.env"), "utf8")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => line.split("=", 2) as [string, string]),
    );
    expect(env.COMPOSE_PROFILES).toBe("qdrant-cluster");
    const file = load(env);
    expect(validate(file)).toBe(true);
    const { services } = file;
    const peers = Object.entries(services).filter(([, s]) => s.image?.startsWith("qdrant/qdrant:"));
    expect(peers.map(([name]) => name).sort()).toEqual(["qdrant", "qdrant-2", "qdrant-3"]);
    for (const [name, peer] of peers) {
      expect(peer.environment?.QDRANT__CLUSTER__ENABLED, name).toBe("true");
      expect(peer.image).toBe("qdrant/qdrant:v1.18.3");
      expect(peer.command?.join(" ")).toContain(`--uri http://${name}:6335`);
      if (name !== "qdrant") {
        expect(peer.profiles).toEqual(["qdrant-cluster"]);
        expect(peer.command?.join(" ")).toContain("--bootstrap http://qdrant:6335");
        expect(peer.volumes).toContain(`${name}-data:/qdrant/storage`);
      }
    }
    for (const name of ["ingest-producer", "embed-worker", "query-api"]) {
      expect(services[name]?.environment, name).toMatchObject({
        QDRANT_URL: "http://qdrant:6333",
        QDRANT_SHARDS: "3",
        QDRANT_REPLICATION_FACTOR: "2",
        QDRANT_WRITE_CONSISTENCY_FACTOR: "2",
      });
    }
    // Without the env file the same peer runs alone, and new collections have one shard.
    expect(load().services.qdrant?.environment?.QDRANT__CLUSTER__ENABLED).toBe("false");
    expect(load().services["embed-worker"]?.environment?.QDRANT_SHARDS).toBe("1");
  });

  it("scales embed workers with WORKER_REPLICAS (default 2)", () => {
    expect(String(load().services["embed-worker"]?.deploy?.replicas)).toBe("2");
    expect(String(load({ WORKER_REPLICAS: "6" }).services["embed-worker"]?.deploy?.replicas)).toBe("6");
  });

  it("gives every service a health check, and depends only on healthy services that have one", () => {
    const { services } = load();
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test, `${name} has a health check`).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on a defined service`).toBeDefined();
        expect(services[dependency]?.healthcheck, `${dependency} has a health check`).toBeDefined();
        expect(condition).toBe("service_healthy");
      }
    }
    expect(Object.keys(services["ingest-producer"]?.depends_on ?? {}).sort()).toEqual(["qdrant", "redis"]);
    expect(Object.keys(services["embed-worker"]?.depends_on ?? {}).sort()).toEqual(["qdrant", "redis"]);
  });

  it("builds each service from an existing context and Dockerfile whose COPY sources exist", () => {
    const built = Object.entries(load().services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(["embed-worker", "ingest-producer", "query-api"]);
    for (const [name, service] of built) {
      const build = service.build;
      if (!build) continue;
      const context = resolve(repoRoot, build.context);
      expect(statSync(context).isDirectory(), `${name}: context ${context}`).toBe(true);
      const dockerfile = resolve(context, build.dockerfile);
      expect(dockerfile).toBe(join(repoRoot, `infra/docker/${name}.Dockerfile`));
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const text = readFileSync(dockerfile, "utf8");
      const copies = parseCopyInstructions(text).filter((c) => !c.from);
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) {
        for (const source of copy.sources) {
          expect(
            existsSync(resolve(context, source)),
            `${name}: COPY source ${source} (line ${copy.line})`,
          ).toBe(true);
        }
      }
      // The service it builds exists, runs as a non-root user, and is multi-stage.
      expect(existsSync(join(repoRoot, "services", name, "package.json")), `services/${name}`).toBe(true);
      expect(text).toMatch(/^USER node$/m);
      expect(text.match(/^FROM /gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("parseCopyInstructions", () => {
  it("reads flags, continuations and the JSON form, and tells stage copies apart", () => {
    const copies = parseCopyInstructions(
      [
        "FROM x AS b",
        "COPY a.json \\",
        "  b.json ./",
        'COPY ["c d", "/e"]',
        "COPY --from=b --chown=node:node /out ./",
      ].join("\n"),
    );
    expect(copies).toEqual([
      { line: 2, instruction: "COPY", from: undefined, sources: ["a.json", "b.json"], destination: "./" },
      { line: 4, instruction: "COPY", from: undefined, sources: ["c d"], destination: "/e" },
      { line: 5, instruction: "COPY", from: "b", sources: ["/out"], destination: "./" },
    ]);
  });
});

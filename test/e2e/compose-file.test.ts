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
    expect(Object.keys(services).sort()).toEqual([
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
    expect(Object.keys(volumes).sort()).toEqual(["models", "qdrant-data", "redis-data"]);
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

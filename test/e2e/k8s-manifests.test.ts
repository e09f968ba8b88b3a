import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@hybrid/stack";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildKustomization, containersOf, type Manifest } from "../src/k8s/kustomize.js";
import { validateManifest } from "../src/k8s/validate-manifest.js";

// No cluster runs here: each overlay is built (a TypeScript composition of the Kustomize features the manifests use)
// and every object is checked against the Kubernetes and KEDA JSON schemas shipped in npm packages.

// biome-ignore lint/suspicious/noExplicitAny: the objects are schema-checked first; the assertions walk their trees.
type Tree = any;

const k8s = join(repoRoot, "infra/k8s");
const overlays = ["dev", "prod"] as const;
const build = (overlay: string) => buildKustomization(join(k8s, "overlays", overlay));
const find = (objects: Manifest[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} missing`);
  return found as Tree;
};
const envOf = (container: { env?: unknown }) =>
  Object.fromEntries(
    ((container.env ?? []) as Array<{ name: string; value?: string; valueFrom?: unknown }>).map((e) => [
      e.name,
      e.value ?? e.valueFrom,
    ]),
  );

describe.each(overlays)("infra/k8s/overlays/%s", (overlay) => {
  const objects = build(overlay);

  it("builds to objects that all validate against the Kubernetes and KEDA schemas", () => {
    expect(objects.length).toBeGreaterThan(8);
    const errors = objects
      .map((o) => [`${o.kind}/${o.metadata.name}`, validateManifest(o)])
      .filter(([, error]) => error);
    expect(errors).toEqual([]);
    for (const o of objects) expect(o.metadata.namespace).toBe(overlay === "dev" ? "hybrid-dev" : "hybrid");
  });

  it("gives each service probes on /healthz and /readyz, sized resources, a PDB and a grace period past its shutdown", () => {
    for (const name of ["ingest-producer", "embed-worker", "query-api"]) {
      const deployment = find(objects, "Deployment", name);
      const pod = deployment.spec.template.spec;
      const [container] = containersOf(deployment) as Tree[];
      if (!container) throw new Error(`${name} has no container`);
      expect(container.image).toBe(`hybrid-search/${name}:${overlay === "dev" ? "dev" : "1.0.0"}`);
      expect(container.livenessProbe.httpGet.path).toBe("/healthz");
      expect(container.startupProbe.httpGet.path).toBe("/healthz");
      expect(container.readinessProbe.httpGet.path).toBe("/readyz");
      expect(container.resources.requests.memory).toMatch(/Mi$|Gi$/);
      expect(container.resources.limits.memory).toMatch(/Mi$|Gi$/);
      const shutdownS = Number(envOf(container).SHUTDOWN_TIMEOUT_S);
      expect(pod.terminationGracePeriodSeconds, name).toBeGreaterThan(shutdownS);
      const pdb = find(objects, "PodDisruptionBudget", name);
      expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
      // Secrets come from the Secret, never inline.
      for (const key of ["QDRANT_API_KEY", "API_KEYS", "REDIS_URL"]) {
        const value = envOf(container)[key];
        if (value !== undefined)
          expect(value, `${name} ${key}`).toMatchObject({ secretKeyRef: { name: "hybrid-secrets" } });
      }
    }
    // The worker's bound: a batch (embedding plus upsert retries) finishes within SHUTDOWN_TIMEOUT_S.
    const worker = find(objects, "Deployment", "embed-worker");
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(90);
  });

  it("scales embed workers from zero on the length of the embed queue's wait list", () => {
    const scaled = find(objects, "ScaledObject", "embed-worker");
    expect(scaled.spec.scaleTargetRef.name).toBe("embed-worker");
    expect(scaled.spec.minReplicaCount).toBe(0);
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe("redis-sentinel");
    const config = find(objects, "ConfigMap", "hybrid-config");
    // BullMQ's wait list of queue `embed` under the deployment's prefix.
    expect(trigger.metadata.listName).toBe(`${config.data?.QUEUE_PREFIX}:embed:wait`);
    expect(trigger.metadata.activationListLength).toBe("0");
    const auth = find(objects, "TriggerAuthentication", trigger.authenticationRef.name);
    expect(auth.spec.secretTargetRef.map((r: { name: string }) => r.name)).toContain("hybrid-secrets");
  });
});

describe("infra/k8s", () => {
  it("prod spreads new collections over the Qdrant cluster; dev ships its own secret, prod none", () => {
    const prod = build("prod");
    expect(find(prod, "ConfigMap", "hybrid-config").data).toMatchObject({
      QDRANT_SHARDS: "6",
      QDRANT_REPLICATION_FACTOR: "2",
      QDRANT_ON_DISK_VECTORS: "true",
      QDRANT_QUANTIZATION: "int8",
    });
    expect(prod.some((o) => o.kind === "Secret")).toBe(false);
    expect(build("dev").some((o) => o.kind === "Secret" && o.metadata.name === "hybrid-secrets")).toBe(true);
  });

  it("the schema check rejects a broken object (so the checks above can fail)", () => {
    const [deployment] = build("dev").filter((o) => o.kind === "Deployment");
    if (!deployment) throw new Error("no deployment");
    (deployment.spec as Record<string, unknown>).replicas = "two";
    expect(validateManifest(deployment)).toMatch(/replicas must be integer/);
    const scaled = find(build("dev"), "ScaledObject", "embed-worker");
    scaled.spec.triggers = [{ metadata: {} }];
    expect(validateManifest(scaled)).toMatch(/required property 'type'|required property type/);
  });

  it("Redis and Qdrant come from their charts' values: Qdrant clustered, Redis with Sentinel, noeviction and min-replicas-to-write", () => {
    const qdrant = parse(readFileSync(join(k8s, "helm/qdrant-values.yaml"), "utf8"));
    expect(qdrant).toMatchObject({ replicaCount: 3, config: { cluster: { enabled: true } } });
    const redis = parse(readFileSync(join(k8s, "helm/redis-values.yaml"), "utf8"));
    expect(redis).toMatchObject({
      architecture: "replication",
      sentinel: { enabled: true, masterSet: "mymaster" },
    });
    expect(redis.commonConfiguration).toMatch(/maxmemory-policy noeviction/);
    expect(redis.commonConfiguration).toMatch(/min-replicas-to-write 1/);
  });
});

import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import fastJsonPatch, { type Operation } from "fast-json-patch";
import { parse, parseAllDocuments } from "yaml";
import { z } from "zod";

/** A Kubernetes object as written in a manifest. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

const Kustomization = z.object({
  apiVersion: z.literal("kustomize.config.k8s.io/v1beta1"),
  kind: z.literal("Kustomization"),
  namespace: z.string().optional(),
  resources: z.array(z.string()).default([]),
  images: z
    .array(z.object({ name: z.string(), newName: z.string().optional(), newTag: z.string().optional() }))
    .default([]),
  patches: z
    .array(
      z.object({
        target: z.object({ kind: z.string(), name: z.string() }),
        patch: z.string(),
      }),
    )
    .default([]),
});

const FIELDS = ["apiVersion", "kind", "namespace", "resources", "images", "patches"];

/**
 * `kustomize build` for the subset of Kustomize our manifests use, so CI can check them with no kustomize binary:
 * `resources` (files and directories holding a kustomization.yaml), `namespace`, `images` (tag and name by image
 * name) and `patches` with inline JSON 6902 operations aimed at a kind and name. Any other field is an error rather
 * than silently ignored, so a manifest cannot rely on something this check would not apply.
 */
export function buildKustomization(dir: string): Manifest[] {
  const file = join(dir, "kustomization.yaml");
  const raw: unknown = parse(readFileSync(file, "utf8"));
  const unknown = Object.keys(raw as object).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0) throw new Error(`${file}: fields this build does not apply: ${unknown.join(", ")}`);
  const spec = Kustomization.parse(raw);
  const objects: Manifest[] = [];
  for (const resource of spec.resources) {
    const path = resolve(dir, resource);
    if (statSync(path).isDirectory()) objects.push(...buildKustomization(path));
    else objects.push(...readManifests(path));
  }
  for (const { target, patch } of spec.patches) {
    const object = objects.find((o) => o.kind === target.kind && o.metadata.name === target.name);
    if (!object) throw new Error(`${file}: patch target ${target.kind}/${target.name} not found`);
    const operations = parse(patch) as Operation[];
    // validate=true: an operation on a missing path (a renamed field) fails instead of doing nothing.
    fastJsonPatch.applyPatch(object, operations, true, true);
  }
  for (const object of objects) {
    if (spec.namespace) object.metadata.namespace = spec.namespace;
    for (const container of containersOf(object)) {
      const [name = "", tag] = container.image.split(":");
      const image = spec.images.find((i) => i.name === name);
      if (image) container.image = `${image.newName ?? name}:${image.newTag ?? tag ?? "latest"}`;
    }
  }
  return objects;
}

/** Every document of a multi-document YAML file. */
export function readManifests(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, "utf8"))
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((o): o is Manifest => o !== null);
}

/** The containers of a workload's pod template (empty for other kinds). */
export function containersOf(
  object: Manifest,
): Array<{ name: string; image: string; [key: string]: unknown }> {
  const spec = object.spec as { template?: { spec?: { containers?: unknown } } } | undefined;
  const containers = spec?.template?.spec?.containers;
  return Array.isArray(containers) ? containers : [];
}

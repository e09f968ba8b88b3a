import { AppError, isAppError } from "@hybrid/service-kit";
import { z } from "zod";
import { CollectionModels, compareModels, type InferenceMode } from "./models.js";
import { collectionPath, type QdrantConnection } from "./qdrant-connection.js";

/** Name of the dense vector in every collection we create. */
export const DENSE_VECTOR = "dense";
/** Name of the sparse vector in every collection we create. */
export const SPARSE_VECTOR = "sparse";

/**
 * What a collection must look like for the configured models: the models (recorded in its metadata) and how the
 * vectors are compared. `inference` is the mode of a new collection (default `client`), recorded when not `client`;
 * an existing collection keeps the mode it was made with (see `ensureCollection`'s answer), so its vectors never mix
 * two BM25 recipes.
 */
export interface CollectionSpec extends CollectionModels {
  distance: "Cosine";
  /** `idf` for BM25 (Qdrant applies the IDF at query time), `none` for SPLADE. */
  sparseModifier: "idf" | "none";
  /** How a new collection is spread over a Qdrant cluster and kept on disk; Qdrant's defaults when absent. */
  layout?: CollectionLayout;
}

/**
 * Creation-time settings of a collection (an existing one keeps its own; they are not compared).
 * - `shardNumber`: shards the points are split into (spread over the cluster's peers; fixed at creation);
 * - `replicationFactor`: copies of each shard on different peers;
 * - `writeConsistencyFactor`: copies that must acknowledge a write before it succeeds (≤ replicationFactor);
 * - `onDiskVectors`: dense vectors (and the sparse index) memory-mapped from disk instead of held in RAM;
 * - `onDiskPayload`: payload read from disk on demand;
 * - `quantization`: `int8` keeps a scalar-quantized copy of the dense vectors in RAM (4x smaller) for search.
 */
export interface CollectionLayout {
  shardNumber?: number;
  replicationFactor?: number;
  writeConsistencyFactor?: number;
  onDiskVectors?: boolean;
  onDiskPayload?: boolean;
  quantization?: "none" | "int8";
}

/** The create-collection fields a layout sets (only those given, so an empty layout leaves Qdrant's defaults). */
export function layoutParams(layout: CollectionLayout = {}) {
  return {
    ...(layout.shardNumber ? { shard_number: layout.shardNumber } : {}),
    ...(layout.replicationFactor ? { replication_factor: layout.replicationFactor } : {}),
    ...(layout.writeConsistencyFactor ? { write_consistency_factor: layout.writeConsistencyFactor } : {}),
    ...(layout.onDiskPayload !== undefined ? { on_disk_payload: layout.onDiskPayload } : {}),
    ...(layout.onDiskVectors ? { hnsw_config: { on_disk: true } } : {}),
    ...(layout.quantization === "int8"
      ? { quantization_config: { scalar: { type: "int8" as const, quantile: 0.99, always_ram: true } } }
      : {}),
  };
}

const ModelsMetadata = z.object({ models: CollectionModels });

/**
 * Creates collection `name` for `spec` on first use, or checks that the existing one matches it.
 * A mismatch (other dimension, distance, sparse modifier or models) is a CONFLICT naming expected and found values,
 * so a wrong model is refused at start rather than failing upserts later.
 * Safe when several processes call it at once: losing the creation race means checking the winner's collection.
 * Answers the collection's inference mode: the one recorded in an existing collection, else the spec's.
 */
export async function ensureCollection(
  qdrant: QdrantConnection,
  name: string,
  spec: CollectionSpec,
): Promise<{ created: boolean; inference: InferenceMode }> {
  const existing = await getCollectionOrNull(qdrant, name);
  if (existing) {
    assertMatches(name, spec, existing);
    return { created: false, inference: recordedModelsOf(existing)?.inference ?? "client" };
  }
  try {
    await qdrant.request({
      method: "PUT",
      path: collectionPath(name),
      action: `create collection "${name}"`,
      result: z.unknown(),
      body: {
        vectors: {
          [DENSE_VECTOR]: {
            size: spec.denseDim,
            distance: spec.distance,
            ...(spec.layout?.onDiskVectors ? { on_disk: true } : {}),
          },
        },
        sparse_vectors: {
          [SPARSE_VECTOR]: {
            modifier: spec.sparseModifier,
            ...(spec.layout?.onDiskVectors ? { index: { on_disk: true } } : {}),
          },
        },
        ...layoutParams(spec.layout),
        metadata: {
          models: {
            dense: spec.dense,
            denseDim: spec.denseDim,
            sparse: spec.sparse,
            ...(spec.inference && spec.inference !== "client" ? { inference: spec.inference } : {}),
          },
        },
      },
    });
    return { created: true, inference: spec.inference ?? "client" };
  } catch (appError) {
    if (!isAppError(appError)) throw appError;
    // Qdrant answers 409 (older versions 400 "already exists") when another process created it first.
    if (appError.code !== "CONFLICT" && appError.code !== "BAD_REQUEST") throw appError;
    const winner = await getCollectionOrNull(qdrant, name);
    if (!winner) throw appError;
    assertMatches(name, spec, winner);
    return { created: false, inference: recordedModelsOf(winner)?.inference ?? "client" };
  }
}

/** The models recorded in the collection's metadata; `null` when it has none (created by something else). */
export async function readCollectionModels(
  qdrant: QdrantConnection,
  name: string,
): Promise<CollectionModels | null> {
  const info = await getCollectionOrNull(qdrant, name);
  if (!info) throw new AppError("NOT_FOUND", `collection "${name}" does not exist`);
  return recordedModelsOf(info);
}

/** What this package reads of Qdrant's collection info; the rest of the answer is kept as it came. */
const VectorParams = z.looseObject({ size: z.number().int(), distance: z.string() });
export const CollectionInfo = z.looseObject({
  status: z.string(),
  points_count: z.number().int().nullish(),
  config: z.looseObject({
    params: z.looseObject({
      vectors: z.union([VectorParams, z.record(z.string(), VectorParams)]).optional(),
      sparse_vectors: z
        .record(z.string(), z.looseObject({ modifier: z.string().nullish() }).nullable())
        .nullish(),
    }),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  }),
});
export type CollectionInfo = z.infer<typeof CollectionInfo>;

/** The parts of a collection's info that `describeMismatches` reads. */
export interface CollectionShape {
  config: {
    params: Pick<CollectionInfo["config"]["params"], "vectors" | "sparse_vectors">;
    metadata?: CollectionInfo["config"]["metadata"];
  };
}

/** A collection's status, points count, vector parameters and metadata; NOT_FOUND when it does not exist. */
export function getCollectionInfo(qdrant: QdrantConnection, name: string): Promise<CollectionInfo> {
  return qdrant.request({
    method: "GET",
    path: collectionPath(name),
    action: `read collection "${name}"`,
    result: CollectionInfo,
  });
}

async function getCollectionOrNull(qdrant: QdrantConnection, name: string): Promise<CollectionInfo | null> {
  try {
    return await getCollectionInfo(qdrant, name);
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") return null;
    throw error;
  }
}

/** Deletes a collection (tests and tools; nothing in the services deletes). */
export async function deleteCollection(qdrant: QdrantConnection, name: string): Promise<void> {
  await qdrant.request({
    method: "DELETE",
    path: collectionPath(name),
    result: z.unknown(),
    action: `delete collection "${name}"`,
  });
}

/** The names of every collection, sorted. */
export async function listCollectionNames(qdrant: QdrantConnection): Promise<string[]> {
  const { collections } = await qdrant.request({
    method: "GET",
    path: "/collections",
    action: "list collections",
    result: z.object({ collections: z.array(z.object({ name: z.string() })) }),
  });
  return collections.map((c) => c.name).sort();
}

/** The models recorded in a collection's info (`null` when it records none, or not in this shape). */
export function recordedModelsOf(info: CollectionShape): CollectionModels | null {
  const parsed = ModelsMetadata.safeParse(info.config.metadata);
  return parsed.success ? parsed.data.models : null;
}

function assertMatches(name: string, spec: CollectionSpec, info: CollectionShape): void {
  const problems = describeMismatches(spec, info);
  if (problems.length === 0) return;
  throw new AppError(
    "CONFLICT",
    `collection "${name}" does not match the configured models: ${problems.join("; ")}. ` +
      "Use another collection name or configure the models it was built with.",
    { retryable: false, details: { collection: name, problems } },
  );
}

/** One line per difference, each naming what was expected and what was found. */
export function describeMismatches(spec: CollectionSpec, info: CollectionShape): string[] {
  const problems: string[] = [];
  const vectors = info.config.params.vectors;
  const dense = vectors && !("size" in vectors) ? vectors[DENSE_VECTOR] : undefined;
  if (!dense || !("size" in dense)) {
    problems.push(`expected a named dense vector "${DENSE_VECTOR}", found ${describeVectors(vectors)}`);
  } else {
    if (dense.size !== spec.denseDim) {
      problems.push(`dense dimension expected ${spec.denseDim} (${spec.dense}), found ${dense.size}`);
    }
    if (dense.distance !== spec.distance) {
      problems.push(`dense distance expected ${spec.distance}, found ${dense.distance}`);
    }
  }
  const sparse = info.config.params.sparse_vectors?.[SPARSE_VECTOR];
  if (!sparse) {
    const names = Object.keys(info.config.params.sparse_vectors ?? {});
    problems.push(
      `expected a sparse vector "${SPARSE_VECTOR}", found ${names.length ? names.join(", ") : "none"}`,
    );
  } else {
    const modifier = typeof sparse.modifier === "string" ? sparse.modifier : "none";
    if (modifier !== spec.sparseModifier) {
      problems.push(`sparse modifier expected ${spec.sparseModifier} (${spec.sparse}), found ${modifier}`);
    }
  }
  const models = recordedModelsOf(info);
  // The dimension was compared on the vector itself above.
  if (models) problems.push(...compareModels(withoutDim(spec), withoutDim(models)));
  return problems;
}

function withoutDim({ dense, sparse }: CollectionModels): { dense: string; sparse: string } {
  return { dense, sparse };
}

function describeVectors(vectors: unknown): string {
  if (!vectors || typeof vectors !== "object") return "none";
  if ("size" in vectors) return "an unnamed vector";
  const names = Object.keys(vectors);
  return names.length ? `vectors ${names.join(", ")}` : "none";
}

import { badRequest, unprocessable } from "./errors.js";
import type {
  CreateCollection,
  HnswConfigDiff,
  QuantizationConfig,
  VectorParams,
  VectorsConfig,
} from "./requests/qdrant-requests.generated.js";
import type { Distance } from "./vectors.js";

export interface DenseParams {
  size: number;
  distance: Distance;
  /** Other fields the caller set (on_disk, hnsw_config, datatype...), echoed back in collection info. */
  extra: Record<string, unknown>;
}

export interface SparseParams {
  modifier: "idf" | "none" | null;
  extra: Record<string, unknown>;
}

/** A collection's configuration in the form the WAL and snapshots keep. */
export interface CollectionConfig {
  /** True when created with one unnamed vector (`vectors: {size, distance}`). */
  unnamed: boolean;
  vectors: Record<string, DenseParams>;
  sparse: Record<string, SparseParams>;
  metadata: Record<string, unknown> | null;
  onDiskPayload: boolean;
  /**
   * Distribution settings a Qdrant cluster acts on (shards, replicas, write quorum) and storage settings
   * (`hnsw_config`, `quantization_config` given at creation): one process keeps every shard in one store, so it
   * only checks and reports them, as a single Qdrant node does. Absent in collections written before they were kept.
   */
  layout?: CollectionLayout;
}

export interface CollectionLayout {
  shardNumber: number;
  replicationFactor: number;
  writeConsistencyFactor: number;
  hnsw: HnswConfigDiff;
  quantization: QuantizationConfig | null;
}

/** Qdrant's bound on a dense vector's size, checked after parsing (422); the schema has only the lower one. */
const MAX_DIMENSION = 65536;

function isSingleVector(vectors: VectorsConfig): vectors is VectorParams {
  return typeof vectors.size === "number";
}

function readDense(params: VectorParams, where: string): DenseParams {
  const { size, distance, multivector_config, ...extra } = params;
  if (size > MAX_DIMENSION)
    throw unprocessable(
      `Validation error in JSON body: [${where}.size: value ${size} invalid, must be from 1 to ${MAX_DIMENSION}]`,
    );
  if (multivector_config)
    throw badRequest(
      `Bad request: multivectors are not supported by qdrant-local (${where}.multivector_config)`,
    );
  return { size, distance, extra };
}

/** Reads a create-collection body (`PUT /collections/{name}`). */
export function readCreateCollection(spec: CreateCollection): CollectionConfig {
  const config: CollectionConfig = {
    unnamed: false,
    vectors: {},
    sparse: {},
    metadata: spec.metadata ?? null,
    onDiskPayload: spec.on_disk_payload ?? true,
    layout: {
      shardNumber: spec.shard_number ?? 1,
      replicationFactor: spec.replication_factor ?? 1,
      writeConsistencyFactor: spec.write_consistency_factor ?? 1,
      hnsw: spec.hnsw_config ?? {},
      quantization: spec.quantization_config ?? null,
    },
  };
  const vectors = spec.vectors;
  if (vectors && isSingleVector(vectors)) {
    config.unnamed = true;
    config.vectors[""] = readDense(vectors, "vectors");
  } else if (vectors) {
    for (const [name, params] of Object.entries(vectors))
      config.vectors[name] = readDense(params, `vectors.${name}`);
  }
  for (const [name, params] of Object.entries(spec.sparse_vectors ?? {})) {
    if (name in config.vectors)
      throw badRequest(`Wrong input: Vector name \`${name}\` is used by both a dense and a sparse vector`);
    const { modifier, ...extra } = params;
    config.sparse[name] = { modifier: modifier ?? null, extra };
  }
  return config;
}

/** Collection info's `config` object, shaped like Qdrant's answer. */
export function describeConfig(config: CollectionConfig): Record<string, unknown> {
  const dense = (p: DenseParams) => ({ size: p.size, distance: p.distance, ...p.extra });
  const vectors = config.unnamed
    ? dense(config.vectors[""] as DenseParams)
    : Object.fromEntries(Object.entries(config.vectors).map(([n, p]) => [n, dense(p)]));
  const params: Record<string, unknown> = {
    vectors,
    shard_number: config.layout?.shardNumber ?? 1,
    replication_factor: config.layout?.replicationFactor ?? 1,
    write_consistency_factor: config.layout?.writeConsistencyFactor ?? 1,
    on_disk_payload: config.onDiskPayload,
  };
  if (Object.keys(config.sparse).length > 0) {
    params.sparse_vectors = Object.fromEntries(
      Object.entries(config.sparse).map(([n, p]) => [
        n,
        { ...p.extra, ...(p.modifier ? { modifier: p.modifier } : {}) },
      ]),
    );
  }
  const out: Record<string, unknown> = {
    params,
    hnsw_config: {
      m: 16,
      ef_construct: 100,
      full_scan_threshold: 10000,
      max_indexing_threads: 0,
      on_disk: false,
      ...config.layout?.hnsw,
    },
    optimizer_config: {
      deleted_threshold: 0.2,
      vacuum_min_vector_number: 1000,
      default_segment_number: 0,
      max_segment_size: null,
      memmap_threshold: null,
      indexing_threshold: 10000,
      flush_interval_sec: 5,
      max_optimization_threads: null,
    },
    wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0, wal_retain_closed: 1 },
    quantization_config: config.layout?.quantization ?? null,
  };
  if (config.metadata) out.metadata = config.metadata;
  return out;
}

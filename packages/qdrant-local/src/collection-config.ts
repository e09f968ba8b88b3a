import { badRequest, formatError, unprocessable } from "./errors.js";
import { DISTANCES, type Distance } from "./vectors.js";

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
  hnsw: Record<string, unknown>;
  quantization: Record<string, unknown> | null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readDense(spec: unknown, where: string): DenseParams {
  if (!isPlainObject(spec)) throw formatError(where, "expected vector params {size, distance}");
  const { size, distance, multivector_config, ...extra } = spec;
  if (typeof size !== "number" || !Number.isInteger(size))
    throw formatError(`${where}.size`, "expected an unsigned integer");
  if (size < 1 || size > 65536)
    throw unprocessable(
      `Validation error in JSON body: [${where}.size: value ${size} invalid, must be from 1 to 65536]`,
    );
  if (typeof distance !== "string" || !DISTANCES.includes(distance as Distance)) {
    throw formatError(
      `${where}.distance`,
      `unknown variant \`${String(distance)}\`, expected one of \`Cosine\`, \`Euclid\`, \`Dot\`, \`Manhattan\``,
    );
  }
  if (multivector_config !== undefined && multivector_config !== null) {
    throw badRequest(
      `Bad request: multivectors are not supported by qdrant-local (${where}.multivector_config)`,
    );
  }
  return { size, distance: distance as Distance, extra };
}

function readCount(value: unknown, where: string): number {
  if (value === undefined || value === null) return 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw formatError(where, `invalid value: ${JSON.stringify(value)}, expected a positive integer`);
  return value;
}

function readLayout(spec: Record<string, unknown>): CollectionLayout {
  const layout: CollectionLayout = {
    shardNumber: readCount(spec.shard_number, "shard_number"),
    replicationFactor: readCount(spec.replication_factor, "replication_factor"),
    writeConsistencyFactor: readCount(spec.write_consistency_factor, "write_consistency_factor"),
    hnsw: {},
    quantization: null,
  };
  if (spec.hnsw_config !== undefined && spec.hnsw_config !== null) {
    if (!isPlainObject(spec.hnsw_config)) throw formatError("hnsw_config", "expected a JSON object");
    layout.hnsw = spec.hnsw_config;
  }
  if (spec.quantization_config !== undefined && spec.quantization_config !== null) {
    if (!isPlainObject(spec.quantization_config))
      throw formatError("quantization_config", "expected a JSON object");
    layout.quantization = spec.quantization_config;
  }
  return layout;
}

/** Reads a create-collection body (`PUT /collections/{name}`). */
export function readCreateCollection(body: unknown): CollectionConfig {
  const spec = body ?? {};
  if (!isPlainObject(spec)) throw formatError("", "invalid type: expected a collection config object");
  if (spec.init_from !== undefined && spec.init_from !== null)
    throw badRequest("Bad request: init_from is not supported by qdrant-local");
  const config: CollectionConfig = {
    unnamed: false,
    vectors: {},
    sparse: {},
    metadata: null,
    onDiskPayload: typeof spec.on_disk_payload === "boolean" ? spec.on_disk_payload : true,
    layout: readLayout(spec),
  };
  const vectors = spec.vectors;
  if (isPlainObject(vectors)) {
    if ("size" in vectors || "distance" in vectors) {
      config.unnamed = true;
      config.vectors[""] = readDense(vectors, "vectors");
    } else {
      for (const [name, params] of Object.entries(vectors))
        config.vectors[name] = readDense(params, `vectors.${name}`);
    }
  } else if (vectors !== undefined && vectors !== null) {
    throw formatError("vectors", "expected vector params or a map of named vector params");
  }
  if (spec.sparse_vectors !== undefined && spec.sparse_vectors !== null) {
    if (!isPlainObject(spec.sparse_vectors))
      throw formatError("sparse_vectors", "expected a map of named sparse vector params");
    for (const [name, params] of Object.entries(spec.sparse_vectors)) {
      const p = params ?? {};
      if (!isPlainObject(p)) throw formatError(`sparse_vectors.${name}`, "expected sparse vector params");
      const { modifier, ...extra } = p;
      if (modifier !== undefined && modifier !== null && modifier !== "idf" && modifier !== "none") {
        throw formatError(
          `sparse_vectors.${name}.modifier`,
          `unknown variant \`${String(modifier)}\`, expected \`none\` or \`idf\``,
        );
      }
      if (name in config.vectors)
        throw badRequest(`Wrong input: Vector name \`${name}\` is used by both a dense and a sparse vector`);
      config.sparse[name] = { modifier: (modifier as "idf" | "none" | undefined) ?? null, extra };
    }
  }
  if (spec.metadata !== undefined && spec.metadata !== null) {
    if (!isPlainObject(spec.metadata)) throw formatError("metadata", "expected a JSON object");
    config.metadata = spec.metadata;
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

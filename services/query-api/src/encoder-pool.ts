import type { HybridEncoder } from "@hybrid/embeddings";
import { AppError, isAppError } from "@hybrid/service-kit";

/** A dense and a sparse model, by the names collections record (catalogue name or path). */
export interface ModelPair {
  dense: string;
  sparse: string;
}

export type EncoderPoolEvent =
  | { type: "loaded"; models: ModelPair; ms: number }
  | { type: "load-failed"; models: ModelPair; error: unknown }
  | { type: "evicted"; models: ModelPair };

export interface EncoderPoolOptions {
  /** Loads the encoder of a pair (`createEncoder` with the service's cache dir and threads in `main`). */
  load: (models: ModelPair) => Promise<HybridEncoder>;
  /** Pairs loaded at once; beyond it the least recently used pair is closed. */
  maxModels: number;
  onEvent?: (event: EncoderPoolEvent) => void;
}

export interface EncoderPool {
  /**
   * Runs `fn` with the encoder of `models`, loading it on first use (concurrent first uses share one load). An
   * evicted encoder is closed once no `fn` is using it any more. A failed load is not kept: the next use tries again.
   */
  use<T>(models: ModelPair, fn: (encoder: HybridEncoder) => Promise<T>): Promise<T>;
  /** Pairs loaded or loading, least recently used first. */
  loaded(): ModelPair[];
  /** Closes every encoder (shutdown). */
  close(): Promise<void>;
}

interface Entry {
  models: ModelPair;
  encoder: Promise<HybridEncoder>;
  /** `use` calls running with this encoder (or waiting for its load). */
  users: number;
  evicted: boolean;
  closed?: Promise<void>;
}

/**
 * The query API's encoders, one per (dense, sparse) pair, so each collection is searched with the models it was built
 * with. Bounded because each dense model holds an ONNX Runtime process and its weights in memory.
 */
export function createEncoderPool({ load, maxModels, onEvent }: EncoderPoolOptions): EncoderPool {
  if (!Number.isInteger(maxModels) || maxModels < 1)
    throw new Error(`maxModels must be >= 1, got ${maxModels}`);
  // Map order is the recency order: an entry is moved to the end on each use.
  const entries = new Map<string, Entry>();

  function touch(key: string, entry: Entry): void {
    entries.delete(key);
    entries.set(key, entry);
  }

  function closeWhenIdle(entry: Entry): void {
    if (!entry.evicted || entry.users > 0 || entry.closed) return;
    // A load that failed has nothing to close.
    entry.closed = entry.encoder.then(
      (encoder) => encoder.close(),
      () => undefined,
    );
  }

  function evictBeyondBound(): void {
    for (const [key, entry] of entries) {
      if (entries.size <= maxModels) return;
      entries.delete(key);
      entry.evicted = true;
      onEvent?.({ type: "evicted", models: entry.models });
      closeWhenIdle(entry);
    }
  }

  function startLoad(key: string, models: ModelPair): Entry {
    const started = performance.now();
    const entry: Entry = {
      models,
      users: 0,
      evicted: false,
      encoder: load(models).then(
        (encoder) => {
          onEvent?.({ type: "loaded", models, ms: Math.round(performance.now() - started) });
          return encoder;
        },
        (error: unknown) => {
          if (entries.get(key) === entry) entries.delete(key);
          onEvent?.({ type: "load-failed", models, error });
          throw loadError(models, error);
        },
      ),
    };
    entries.set(key, entry);
    return entry;
  }

  return {
    async use(models, fn) {
      const key = keyOf(models);
      const found = entries.get(key);
      const entry = found ?? startLoad(key, models);
      if (found) touch(key, found);
      // Counted before evicting, so that an entry evicted while `fn` runs is closed only once `fn` is done.
      entry.users += 1;
      evictBeyondBound();
      try {
        return await fn(await entry.encoder);
      } finally {
        entry.users -= 1;
        closeWhenIdle(entry);
      }
    },
    loaded: () => [...entries.values()].map((entry) => entry.models),
    async close() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(
        all.map(async (entry) => {
          entry.evicted = true;
          entry.users = 0;
          closeWhenIdle(entry);
          await entry.closed;
        }),
      );
    },
  };
}

export function keyOf(models: ModelPair): string {
  return `${models.dense}\n${models.sparse}`;
}

/**
 * A pair that cannot be loaded: an unknown name or a missing model directory is a 409 (the collection records models
 * this service cannot provide), anything else (a download that failed, a model that does not start) a 503.
 */
function loadError(models: ModelPair, error: unknown): AppError {
  const reason = error instanceof Error ? error.message : String(error);
  const permanent = isAppError(error) && ["BAD_REQUEST", "NOT_FOUND", "CONFLICT"].includes(error.code);
  return new AppError(
    permanent ? "CONFLICT" : "UNAVAILABLE",
    `cannot load dense model "${models.dense}" with sparse model "${models.sparse}": ${reason}`,
    { cause: error, retryable: !permanent, details: { models } },
  );
}

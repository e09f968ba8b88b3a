import type { QdrantClient } from "@qdrant/js-client-rest";

/** The names and models the tutorial uses. */
export const TUTORIAL = {
  collection: "miriad",
  denseVector: "dense_vector",
  sparseVector: "bm25_sparse_vector",
  /** Qdrant Cloud's name for all-MiniLM-L6-v2 (lowercase), 384 dimensions. */
  denseModel: "sentence-transformers/all-minilm-l6-v2",
  denseSize: 384,
  bm25Model: "qdrant/bm25",
  dataset: "miriad/miriad-4.4M",
  split: "train[0:100]",
  /** The row field that is embedded (the whole row is the payload). */
  textField: "passage_text",
  batchSize: 8,
  query: "What is relapsing polychondritis?",
  prefetchLimit: 5,
} as const;

/** Step 1: a collection with a 384-d Cosine dense vector and a BM25 sparse vector whose IDF Qdrant applies. */
export async function createTutorialCollection(client: QdrantClient, collection: string): Promise<void> {
  if ((await client.collectionExists(collection)).exists) await client.deleteCollection(collection);
  await client.createCollection(collection, {
    vectors: { [TUTORIAL.denseVector]: { size: TUTORIAL.denseSize, distance: "Cosine" } },
    sparse_vectors: { [TUTORIAL.sparseVector]: { modifier: "idf" } },
  });
}

/** Step 2: every row as a point whose two vectors are documents Qdrant embeds; upserts of `batchSize` points. */
export async function upsertRows(
  client: QdrantClient,
  collection: string,
  rows: Array<Record<string, unknown>>,
  batchSize: number = TUTORIAL.batchSize,
): Promise<{ points: number; upserts: number }> {
  let upserts = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    const points = rows.slice(start, start + batchSize).map((row, i) => {
      const text = row[TUTORIAL.textField];
      if (typeof text !== "string")
        throw new Error(
          `row ${start + i} has no string "${TUTORIAL.textField}" (fields: ${Object.keys(row).join(", ")})`,
        );
      return {
        id: start + i,
        vector: {
          [TUTORIAL.denseVector]: { text, model: TUTORIAL.denseModel },
          [TUTORIAL.sparseVector]: { text, model: TUTORIAL.bm25Model },
        },
        payload: row,
      };
    });
    await client.upsert(collection, { wait: true, points });
    upserts += 1;
  }
  return { points: rows.length, upserts };
}

/** Step 3: the question as two document prefetches of `prefetchLimit`, fused by RRF. */
export async function hybridQuery(client: QdrantClient, collection: string, query: string = TUTORIAL.query) {
  const { points } = await client.query(collection, {
    prefetch: [
      {
        query: { text: query, model: TUTORIAL.denseModel },
        using: TUTORIAL.denseVector,
        limit: TUTORIAL.prefetchLimit,
      },
      {
        query: { text: query, model: TUTORIAL.bm25Model },
        using: TUTORIAL.sparseVector,
        limit: TUTORIAL.prefetchLimit,
      },
    ],
    query: { fusion: "rrf" },
    with_payload: true,
  });
  return points;
}

import { z } from "@hono/zod-openapi";
import { AppError } from "@hybrid/service-kit";
import {
  type CollectionInfo,
  getCollectionInfo,
  listCollectionNames,
  type QdrantConnection,
  recordedModelsOf,
} from "@hybrid/store";
import { toUpstreamError } from "./upstream-error.js";

const RecordedModels = z
  .object({ dense: z.string(), denseDim: z.number().int(), sparse: z.string() })
  .nullable()
  .describe("models recorded in the collection's metadata when it was created; null if none");

export const CollectionSummary = z
  .object({ name: z.string(), pointsCount: z.number().int().nullable(), models: RecordedModels })
  .openapi("CollectionSummary");

export const CollectionDetail = z
  .object({
    name: z.string(),
    status: z.string(),
    pointsCount: z.number().int().nullable(),
    vectors: z.record(z.string(), z.object({ size: z.number().int(), distance: z.string() })),
    sparseVectors: z.record(z.string(), z.object({ modifier: z.string().nullable() })),
    models: RecordedModels,
  })
  .openapi("CollectionDetail");
export type CollectionDetail = z.infer<typeof CollectionDetail>;

/** Every collection with its point count and models (for the page's collection picker). */
export async function listCollections(
  qdrant: QdrantConnection,
): Promise<Array<z.infer<typeof CollectionSummary>>> {
  let names: string[];
  try {
    names = await listCollectionNames(qdrant);
  } catch (error) {
    throw toUpstreamError(error, "", "collections");
  }
  return Promise.all(
    names.map(async (name) => {
      const detail = await describeCollection(qdrant, name);
      return { name, pointsCount: detail.pointsCount, models: detail.models };
    }),
  );
}

/** Points count, vector configuration and the models the collection was built with. */
export async function describeCollection(qdrant: QdrantConnection, name: string): Promise<CollectionDetail> {
  let info: CollectionInfo;
  try {
    info = await getCollectionInfo(qdrant, name);
  } catch (error) {
    throw toUpstreamError(error, name, "name");
  }
  const { params } = info.config;
  const models = recordedModelsOf(info);
  return {
    name,
    status: String(info.status),
    pointsCount: info.points_count ?? null,
    vectors: denseVectorsOf(params.vectors),
    sparseVectors: Object.fromEntries(
      Object.entries(params.sparse_vectors ?? {}).map(([key, value]) => [
        key,
        { modifier: typeof value?.modifier === "string" ? value.modifier : null },
      ]),
    ),
    models,
  };
}

function denseVectorsOf(vectors: unknown): CollectionDetail["vectors"] {
  const Params = z.object({ size: z.number().int(), distance: z.string() });
  const single = Params.safeParse(vectors);
  if (single.success) return { "": single.data };
  const named = z.record(z.string(), Params).safeParse(vectors ?? {});
  if (!named.success)
    throw new AppError("UPSTREAM", "Qdrant described the collection's vectors in an unknown shape");
  return named.data;
}

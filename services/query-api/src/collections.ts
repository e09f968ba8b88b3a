import { z } from "@hono/zod-openapi";
import { AppError } from "@hybrid/service-kit";
import { CollectionModels, type QdrantClient } from "@hybrid/store";
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

const ModelsMetadata = z.object({ models: CollectionModels });

/** Every collection with its point count and models (for the page's collection picker). */
export async function listCollections(
  client: QdrantClient,
): Promise<Array<z.infer<typeof CollectionSummary>>> {
  let names: string[];
  try {
    names = (await client.getCollections()).collections.map((c) => c.name).sort();
  } catch (error) {
    throw toUpstreamError(error, "list collections", "", "collections");
  }
  return Promise.all(
    names.map(async (name) => {
      const detail = await describeCollection(client, name);
      return { name, pointsCount: detail.pointsCount, models: detail.models };
    }),
  );
}

/** Points count, vector configuration and the models the collection was built with. */
export async function describeCollection(client: QdrantClient, name: string): Promise<CollectionDetail> {
  let info: Awaited<ReturnType<QdrantClient["getCollection"]>>;
  try {
    info = await client.getCollection(name);
  } catch (error) {
    throw toUpstreamError(error, `read collection "${name}"`, name, "name");
  }
  const { params, metadata } = info.config;
  const models = ModelsMetadata.safeParse(metadata);
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
    models: models.success ? models.data.models : null,
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

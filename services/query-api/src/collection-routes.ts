import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { CollectionName } from "@hybrid/config";
import type { AppEnv } from "@hybrid/service-kit";
import type { QdrantConnection } from "@hybrid/store";
import { CollectionDetail, CollectionSummary, describeCollection, listCollections } from "./collections.js";
import { Facets, sampleFacets } from "./facets.js";
import { ErrorBody } from "./search-schemas.js";

/** `GET /v1/collections`, `GET /v1/collections/:name` and its facets. */
export function mountCollectionRoutes(
  api: OpenAPIHono<AppEnv>,
  qdrant: QdrantConnection,
  defaultCollection: string,
): void {
  api.openapi(
    createRoute({
      method: "get",
      path: "/v1/collections",
      tags: ["collections"],
      summary: "Collections and their point counts",
      responses: {
        200: {
          content: {
            "application/json": {
              schema: z.object({
                collections: z.array(CollectionSummary),
                defaultCollection: z.string().describe("searched when a request names no collection"),
              }),
            },
          },
          description: "every collection, by name",
        },
        502: { content: { "application/json": { schema: ErrorBody } }, description: "Qdrant failed" },
      },
    }),
    async (c) => c.json({ collections: await listCollections(qdrant), defaultCollection }, 200),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/v1/collections/{name}",
      tags: ["collections"],
      summary: "Points count, vector configuration and models of one collection",
      request: {
        // The shared schema is plain zod (built before @hono/zod-openapi may be loaded), so no `.openapi()` on it here.
        params: z.object({ name: CollectionName }),
      },
      responses: {
        200: { content: { "application/json": { schema: CollectionDetail } }, description: "the collection" },
        400: { content: { "application/json": { schema: ErrorBody } }, description: "invalid name" },
        404: { content: { "application/json": { schema: ErrorBody } }, description: "no such collection" },
      },
    }),
    async (c) => c.json(await describeCollection(qdrant, c.req.valid("param").name), 200),
  );

  api.openapi(
    createRoute({
      method: "get",
      path: "/v1/collections/{name}/facets",
      tags: ["collections"],
      summary:
        "Payload fields a filter can offer: keyword fields with their values, numeric fields with their range",
      description: "From a sample of the collection's points (the first 1000 by id).",
      request: { params: z.object({ name: CollectionName }) },
      responses: {
        200: { content: { "application/json": { schema: Facets } }, description: "the facets" },
        400: { content: { "application/json": { schema: ErrorBody } }, description: "invalid name" },
        404: { content: { "application/json": { schema: ErrorBody } }, description: "no such collection" },
      },
    }),
    async (c) => c.json(await sampleFacets(qdrant, c.req.valid("param").name), 200),
  );
}

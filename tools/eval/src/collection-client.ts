import { z } from "zod";
import { ApiError, type HttpJsonOptions, requestJson } from "./http-json.js";

/** The part of the query API's `GET /v1/collections/:name` the evaluation reads. */
export const CollectionInfo = z.looseObject({
  name: z.string(),
  pointsCount: z.number().int().nullable(),
  models: z.looseObject({ dense: z.string(), denseDim: z.number().int(), sparse: z.string() }).nullable(),
});
export type CollectionInfo = z.infer<typeof CollectionInfo>;

/** The collection as the query API describes it, or `undefined` when it does not exist (404). */
export async function describeCollection(
  queryUrl: string,
  name: string,
  http: HttpJsonOptions = {},
): Promise<CollectionInfo | undefined> {
  try {
    return await requestJson(
      "GET",
      `${queryUrl}/v1/collections/${encodeURIComponent(name)}`,
      CollectionInfo,
      undefined,
      http,
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

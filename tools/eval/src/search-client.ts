import { z } from "zod";
import { type HttpJsonOptions, requestJson } from "./http-json.js";
import type { ScoredDoc } from "./metrics.js";
import type { ModeRequest } from "./modes.js";

const Hit = z.looseObject({
  id: z.union([z.string(), z.number()]),
  score: z.number(),
  payload: z.record(z.string(), z.unknown()).nullish(),
});
type Hit = z.infer<typeof Hit>;

const SearchAnswer = z.looseObject({ hits: z.array(Hit) });

export interface SearchRequest extends ModeRequest {
  query: string;
  collection: string;
  limit: number;
}

/**
 * `POST /v1/search`; returns the hits as (document id, score). The document id is the row's `_id` as stored in
 * the point's payload; the point id (a UUID derived from it) is used only when the payload lacks it.
 */
export async function search(
  queryUrl: string,
  request: SearchRequest,
  http: HttpJsonOptions = {},
): Promise<ScoredDoc[]> {
  const body = { ...request, withPayload: ["_id"] };
  const answer = await requestJson("POST", `${queryUrl}/v1/search`, SearchAnswer, body, http);
  return answer.hits.map((hit) => ({ id: documentIdOf(hit), score: hit.score }));
}

function documentIdOf(hit: Hit): string {
  const fromPayload = hit.payload?._id;
  if (typeof fromPayload === "string" || typeof fromPayload === "number") return String(fromPayload);
  return String(hit.id);
}

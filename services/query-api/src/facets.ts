import { z } from "@hono/zod-openapi";
import { type QdrantConnection, scrollPayloads } from "@hybrid/store";
import { toUpstreamError } from "./upstream-error.js";

/** Points read to find a collection's facets. */
export const FACET_SAMPLE = 1000;
/** A string field with more distinct values than this (in the sample) is free text, not a facet. */
const MAX_KEYWORD_VALUES = 50;
/** Values longer than this are text, not keywords. */
const MAX_KEYWORD_LENGTH = 100;

export const Facet = z
  .discriminatedUnion("type", [
    z.object({
      key: z.string(),
      type: z.literal("keyword"),
      values: z
        .array(z.object({ value: z.string(), count: z.number().int() }))
        .describe("most frequent first"),
    }),
    z.object({ key: z.string(), type: z.literal("number"), min: z.number(), max: z.number() }),
  ])
  .openapi("Facet");
export type Facet = z.infer<typeof Facet>;

export const Facets = z
  .object({
    collection: z.string(),
    sampled: z.number().int().describe(`points read (the first ${FACET_SAMPLE} by id)`),
    fields: z.array(Facet),
  })
  .openapi("Facets");
export type Facets = z.infer<typeof Facets>;

/**
 * The payload fields a filter can offer, from a sample of the collection's points: top-level string fields whose
 * values repeat (at most 50 distinct, none longer than 100 characters) with their counts, and numeric fields with
 * their range. A sample rather than Qdrant's facet API because that needs a payload index on each field, which
 * ingestion does not create, and the local mode does not implement it.
 */
export async function sampleFacets(qdrant: QdrantConnection, collection: string): Promise<Facets> {
  let points: Array<{ payload?: Record<string, unknown> | null | undefined }>;
  try {
    points = await scrollPayloads(qdrant, collection, FACET_SAMPLE);
  } catch (error) {
    throw toUpstreamError(error, collection, "name");
  }
  const strings = new Map<string, Map<string, number>>();
  const numbers = new Map<string, { min: number; max: number }>();
  const mixed = new Set<string>();
  for (const { payload } of points) {
    for (const [key, value] of Object.entries(payload ?? {})) {
      if (typeof value === "string") {
        const counts = strings.get(key) ?? new Map<string, number>();
        counts.set(value, (counts.get(value) ?? 0) + 1);
        strings.set(key, counts);
      } else if (typeof value === "number" && Number.isFinite(value)) {
        const range = numbers.get(key);
        numbers.set(
          key,
          range
            ? { min: Math.min(range.min, value), max: Math.max(range.max, value) }
            : { min: value, max: value },
        );
      } else if (value !== null) mixed.add(key);
    }
  }
  const fields: Facet[] = [];
  for (const [key, counts] of strings) {
    if (mixed.has(key) || numbers.has(key)) continue;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const repeats = counts.size < total || total === 1;
    const short = [...counts.keys()].every((v) => v.length <= MAX_KEYWORD_LENGTH);
    if (!repeats || !short || counts.size > MAX_KEYWORD_VALUES) continue;
    const values = [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    fields.push({ key, type: "keyword", values });
  }
  for (const [key, range] of numbers) {
    if (!mixed.has(key) && !strings.has(key)) fields.push({ key, type: "number", ...range });
  }
  fields.sort((a, b) => a.key.localeCompare(b.key));
  return { collection, sampled: points.length, fields };
}

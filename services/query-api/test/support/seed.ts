import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { HybridEncoder } from "@hybrid/embeddings";
import { ensureCollection, pointId, type QdrantConnection, upsertPoints } from "@hybrid/store";
import { z } from "zod";
import { SHARED_DIR } from "./paths.js";

export const Startup = z.object({
  name: z.string(),
  description: z.string(),
  city: z.string(),
  link: z.string(),
  alt: z.string().optional(),
  images: z.string().optional(),
});
export type Startup = z.infer<typeof Startup>;

/** The 259 rows of the startups sample (Qdrant's hybrid-search tutorial data). */
export function readStartups(): Startup[] {
  const file = resolve(SHARED_DIR, "datasets/startups-sample/startups_demo.jsonl");
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => Startup.parse(JSON.parse(line)));
}

/** What gets embedded for a startup: its name and description (the alt text when the description is empty). */
export function startupText(row: Startup): string {
  return `${row.name}. ${row.description || row.alt || ""}`.trim();
}

/** Creates `collection` for the encoder's models and upserts `rows`, embedded by the real encoder in batches. */
export async function seedStartups(
  client: QdrantConnection,
  encoder: HybridEncoder,
  collection: string,
  rows: Startup[],
): Promise<void> {
  await ensureCollection(client, collection, {
    dense: encoder.dense.model,
    denseDim: encoder.dense.dim,
    distance: "Cosine",
    sparse: encoder.sparse.model,
    sparseModifier: encoder.sparse.modifier,
  });
  for (let start = 0; start < rows.length; start += 64) {
    const batch = rows.slice(start, start + 64);
    const vectors = await encoder.encodeDocuments(batch.map(startupText));
    await upsertPoints(
      client,
      collection,
      batch.map((row, i) => ({
        id: pointId(collection, String(start + i), 0),
        dense: vectors[i]?.dense ?? [],
        sparse: vectors[i]?.sparse ?? { indices: [], values: [] },
        payload: {
          name: row.name,
          description: row.description,
          city: row.city,
          link: row.link,
          ...(row.images ? { images: row.images } : {}),
        },
      })),
    );
  }
}

import { z } from "zod";

/** The calls the bench makes to the store itself (both pipelines talk to it through their own clients). */

const CountAnswer = z.object({ result: z.object({ count: z.number() }) });

/** Exact point count of a collection; 0 while it does not exist. */
export async function countPoints(qdrantUrl: string, collection: string): Promise<number> {
  const response = await fetch(`${qdrantUrl}/collections/${collection}/points/count`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ exact: true }),
  });
  if (response.status === 404) return 0;
  if (!response.ok) throw new Error(`count ${collection} answered ${response.status}`);
  return CountAnswer.parse(await response.json()).result.count;
}

/** Resolves with `Date.now()` at the first poll that finds a point in `collection` (searchable: upserts wait). */
export function watchFirstPoint(
  qdrantUrl: string,
  collection: string,
  everyMs = 50,
): { at: Promise<number | undefined>; stop(): void } {
  let stopped = false;
  const at = (async () => {
    while (!stopped) {
      if ((await countPoints(qdrantUrl, collection).catch(() => 0)) > 0) return Date.now();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    return undefined;
  })();
  return {
    at,
    stop() {
      stopped = true;
    },
  };
}

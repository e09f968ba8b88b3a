import { badRequest } from "./errors.js";

/**
 * Checks the replica-set query parameters a Qdrant cluster acts on: `ordering` of writes (`weak`, `medium`,
 * `strong`) and `consistency` of reads (`all`, `majority`, `quorum` or a number of replicas). One process holds the
 * only copy of every shard, so any valid value is already met; an invalid one is refused as Qdrant refuses it.
 */
export function checkReplicaParams(query: URLSearchParams): void {
  const ordering = query.get("ordering");
  if (ordering !== null && !["weak", "medium", "strong"].includes(ordering)) {
    throw badRequest(
      `Query deserialize error: unknown variant \`${ordering}\`, expected one of \`weak\`, \`medium\`, \`strong\``,
    );
  }
  const consistency = query.get("consistency");
  if (
    consistency !== null &&
    !["all", "majority", "quorum"].includes(consistency) &&
    !/^[1-9][0-9]*$/.test(consistency)
  ) {
    throw badRequest(
      `Query deserialize error: consistency must be a positive number of replicas or one of \`all\`, \`majority\`, \`quorum\`, got \`${consistency}\``,
    );
  }
}

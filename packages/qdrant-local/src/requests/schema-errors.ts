import type { AnySchemaObject, ErrorObject } from "ajv";
import { badRequest, formatError, type QdrantError, unprocessable } from "../errors.js";
import { REQUEST_SCHEMAS } from "./qdrant-requests.generated.js";

/** Bounds Qdrant checks after parsing (its validator crate): a 422, where a parse failure is a 400. */
const BOUND_KEYWORDS = new Set([
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "minItems",
]);

/** Each definition's schema object, to its name (Ajv's errors point at the schema object that failed). */
const DEFINITIONS = new Map<object, string>(
  Object.entries(REQUEST_SCHEMAS.definitions).map(([n, s]) => [s, n]),
);

/**
 * The query request's fields (`limit`...): Qdrant flattens them from an `internal` part, and its validation errors name
 * them through it (`internal.limit`), though the JSON has no such level.
 */
const FLATTENED_INTERNAL = new Set<object>(
  Object.values(REQUEST_SCHEMAS.definitions.QueryRequest.properties),
);

/**
 * Turns Ajv's errors for one body into the error Qdrant answers. Ajv stops at the first failure, having listed the
 * failures of every variant an `anyOf` tried; the one reached deepest in the body is the most telling (serde's
 * untagged enums name the enum there), so it is the one reported.
 */
export function schemaError(errors: readonly ErrorObject[], queryParameter?: string): QdrantError {
  let chosen: ErrorObject | undefined;
  let depth = -1;
  for (const error of errors) {
    const d = error.instancePath.split("/").length;
    if (d > depth || (d === depth && definitionOf(error) !== undefined)) {
      chosen = error;
      depth = d;
    }
  }
  if (!chosen) return formatError("", "the body does not fit the request schema");
  const where = qdrantPath(chosen.instancePath);
  if (queryParameter !== undefined)
    return badRequest(`Query deserialize error: ${queryParameter}${where}: ${parseMessage(chosen)}`);
  if (BOUND_KEYWORDS.has(chosen.keyword) && !parsedAsNonZero(chosen)) {
    const flattened = flattenedPath(chosen, where);
    return unprocessable(`Validation error in JSON body: [${flattened}: ${boundMessage(chosen)}]`);
  }
  return formatError(where, parseMessage(chosen));
}

/** `/points/0/vector` as Qdrant writes it: `points[0].vector`. */
function qdrantPath(pointer: string): string {
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    out += /^\d+$/.test(segment) ? `[${segment}]` : out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** The definition whose own `anyOf` failed (`#/definitions/Condition/anyOf`), if that is what failed. */
function definitionOf(error: ErrorObject): string | undefined {
  return error.keyword === "anyOf" && error.parentSchema ? DEFINITIONS.get(error.parentSchema) : undefined;
}

function flattenedPath(error: ErrorObject, where: string): string {
  if (!error.parentSchema || !FLATTENED_INTERNAL.has(error.parentSchema)) return where;
  const dot = where.lastIndexOf(".");
  return dot < 0 ? `internal.${where}` : `${where.slice(0, dot)}.internal${where.slice(dot)}`;
}

/**
 * A lower bound of 1 on a 32- or 64-bit unsigned field is Rust's NonZero type, and a bound of 0 is the type's own
 * range: serde refuses those while parsing (400). Other bounds come from Qdrant's validators (422).
 */
function parsedAsNonZero(error: ErrorObject): boolean {
  if (error.keyword !== "minimum") return false;
  const format = String(error.parentSchema?.format ?? "");
  return error.params.limit === 0 || (error.params.limit === 1 && /^uint(32|64)$/.test(format));
}

function boundMessage(error: ErrorObject): string {
  const schema = error.parentSchema ?? {};
  const value = JSON.stringify(error.data);
  if (error.keyword === "minLength" || error.keyword === "minItems")
    return `Validation error: must not be empty [{"value": ${value}}]`;
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  if (min !== undefined && max !== undefined) return `value ${value} invalid, must be from ${min} to ${max}`;
  return min !== undefined
    ? `value ${value} invalid, must be ${min} or larger`
    : `value ${value} invalid, must be ${max} or smaller`;
}

function parseMessage(error: ErrorObject): string {
  const params = error.params;
  switch (error.keyword) {
    case "type":
      return `invalid type: ${describe(error.data)}, expected ${expected(error.parentSchema)}`;
    case "required":
      return `missing field \`${params.missingProperty}\``;
    case "additionalProperties": {
      const known = Object.keys(error.parentSchema?.properties ?? {});
      return `unknown field \`${params.additionalProperty}\`, expected ${oneOf(known)}`;
    }
    case "enum":
      return `unknown variant \`${String(error.data)}\`, expected ${oneOf((params.allowedValues as unknown[]).map(String))}`;
    case "anyOf": {
      const name = definitionOf(error);
      return name
        ? `data did not match any variant of untagged enum ${name}`
        : "data did not match any variant";
    }
    case "minimum":
      return `invalid value: ${describe(error.data)}, expected ${params.limit === 0 ? "an unsigned integer" : "a nonzero integer"}`;
    default:
      return error.message ?? "invalid value";
  }
}

/** Serde's way of naming the value it got. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a sequence";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number")
    return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  return `${typeof value} \`${String(value)}\``;
}

function expected(schema: AnySchemaObject | undefined): string {
  const types: unknown[] = [schema?.type].flat().filter((t) => t !== "null");
  const format = typeof schema?.format === "string" ? ` (${schema.format})` : "";
  return `${types.join(" or ") || "a value"}${format}`;
}

function oneOf(options: readonly string[]): string {
  const quoted = options.map((o) => `\`${o}\``);
  if (quoted.length <= 2) return quoted.join(" or ");
  return `one of ${quoted.join(", ")}`;
}

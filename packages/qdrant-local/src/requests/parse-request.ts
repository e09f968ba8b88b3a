import { Ajv } from "ajv";
import { type QdrantSchemas, REQUEST_SCHEMAS } from "./qdrant-requests.generated.js";
import { schemaError } from "./schema-errors.js";

export type RequestName = keyof QdrantSchemas;

let ajv: Ajv | undefined;

function validator(): Ajv {
  if (!ajv) {
    // Formats (float, uint64, uuid, date-time) are checked where the value is used: ids and datetimes are parsed there.
    // Each referenced schema compiled once and shared, unoptimised: a server's first requests compile a few hundred
    // schemas, which this makes about three times faster.
    ajv = new Ajv({
      strict: false,
      validateFormats: false,
      verbose: true,
      inlineRefs: false,
      code: { optimize: false },
    });
    ajv.addSchema(REQUEST_SCHEMAS);
  }
  return ajv;
}

/** Whether `value` fits Qdrant's schema `name`. Each schema is compiled on first use and kept. */
export function conforms<K extends RequestName>(name: K, value: unknown): value is QdrantSchemas[K] {
  return validator().validate<QdrantSchemas[K]>(`${REQUEST_SCHEMAS.$id}#/definitions/${name}`, value);
}

/**
 * Checks a request body (or, named by `queryParameter`, a query parameter) against Qdrant's own schema, generated
 * from its OpenAPI document, and returns it typed. A mismatch is the 400 (or, for a bound, 422) Qdrant answers.
 */
export function parseRequest<K extends RequestName>(
  name: K,
  body: unknown,
  queryParameter?: string,
): QdrantSchemas[K] {
  if (conforms(name, body)) return body;
  throw schemaError(validator().errors ?? [], queryParameter);
}

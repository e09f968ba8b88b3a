import { Ajv } from "ajv";
import { REQUEST_SCHEMAS, type RequestBodies } from "./qdrant-requests.generated.js";
import { schemaError } from "./schema-errors.js";

export type RequestName = keyof RequestBodies;

let ajv: Ajv | undefined;

/**
 * Checks a request body (or, named by `queryParameter`, a query parameter) against Qdrant's own schema, generated
 * from its OpenAPI document, and returns it typed. A mismatch is the 400 (or, for a bound, 422) Qdrant answers.
 * Each schema is compiled on first use and kept.
 */
export function parseRequest<K extends RequestName>(
  name: K,
  body: unknown,
  queryParameter?: string,
): RequestBodies[K] {
  if (!ajv) {
    // Formats (float, uint64, uuid, date-time) are checked where the value is used: ids and datetimes are parsed there.
    ajv = new Ajv({ strict: false, validateFormats: false, verbose: true });
    ajv.addSchema(REQUEST_SCHEMAS);
  }
  if (ajv.validate<RequestBodies[K]>(`${REQUEST_SCHEMAS.$id}#/definitions/${name}`, body)) return body;
  throw schemaError(ajv.errors ?? [], queryParameter);
}

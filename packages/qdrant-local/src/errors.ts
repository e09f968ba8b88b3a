import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error Qdrant answers with an HTTP status and `{"status": {"error": message}}`. */
export class QdrantError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
  ) {
    super(message);
    this.name = "QdrantError";
  }
}

export function badRequest(message: string): QdrantError {
  return new QdrantError(400, message);
}

export function notFound(message: string): QdrantError {
  return new QdrantError(404, message);
}

export function conflict(message: string): QdrantError {
  return new QdrantError(409, message);
}

/** Qdrant's wording for a request body that does not fit the schema. */
export function formatError(where: string, what: string): QdrantError {
  return badRequest(`Format error in JSON body: ${where ? `${where}: ` : ""}${what}`);
}

/** Qdrant answers 422 for a body that parses but fails validation ("Validation error in JSON body: [...]"). */
export function unprocessable(message: string): QdrantError {
  return new QdrantError(422, message);
}

export function collectionNotFound(name: string): QdrantError {
  return notFound(`Not found: Collection \`${name}\` doesn't exist!`);
}

export function pointNotFound(id: number | string): QdrantError {
  return notFound(`Not found: No point with id ${id} found`);
}

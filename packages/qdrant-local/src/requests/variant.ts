import { conforms } from "./parse-request.js";
import type { QdrantSchemas } from "./qdrant-requests.generated.js";

/**
 * Whether a checked value of one of Qdrant's untagged unions is the variant `variant`: serde takes the first variant,
 * in the schema's order, that the value fits, and since variants allow fields they do not name, a value may carry
 * another variant's key. So callers test the variants in the schema's order, each against its whole schema.
 */
export function isVariant<T, K extends keyof QdrantSchemas>(
  value: T,
  variant: K,
): value is Extract<T, QdrantSchemas[K]> {
  return conforms(variant, value);
}

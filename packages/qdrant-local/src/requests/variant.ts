/**
 * Which variant of one of Qdrant's untagged unions a checked value is, told by a key only that variant requires
 * (`nearest`, `fusion`, `has_id`...). Callers test keys in the order serde tries the variants, so that a key another
 * variant may also carry (a field condition's `is_empty`) is tested after that variant.
 */
export function isVariant<T extends object, K extends string>(
  value: T,
  key: K,
): value is Extract<T, Record<K, unknown>> {
  return key in value;
}

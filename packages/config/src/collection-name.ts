import { z } from "zod";

/**
 * A collection name both services accept, and so Qdrant too. Qdrant refuses `< > : " / \ | ? *`, NUL and names over
 * 255 characters, and keeps each collection in a directory of that name; `.` and `..` would name its parents. The
 * rule here is narrower and easy to state: letters, digits, `_`, `-` and `.`, not starting with a dot.
 */
export const CollectionName = z
  .string()
  .regex(
    /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$/,
    "a collection name: 1-255 letters, digits, _, - or ., not starting with a dot",
  );
export type CollectionName = z.infer<typeof CollectionName>;

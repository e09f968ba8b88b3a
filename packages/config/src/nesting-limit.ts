import { z } from "zod";

/**
 * How deeply objects and arrays nest in a JSON value: a scalar is 0, `{}` and `[]` are 1, `[[1]]` is 2. Counted
 * with an explicit stack, so a hostile value nested a million levels deep cannot overflow the call stack; stops
 * at the first branch deeper than `limit` and returns that depth.
 */
export function nestingDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== "object" || current === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}

/**
 * `schema`, checked first for nesting deeper than `limit` levels of objects and arrays. Recursive schemas (filters)
 * and `JSON.stringify` recurse once per level, so a deep enough value would overflow the stack; it is refused up
 * front with a message naming the limit.
 */
export function limitNesting<T extends z.ZodType>(limit: number, schema: T) {
  return z.preprocess((value, ctx) => {
    if (nestingDepth(value, limit) <= limit) return value;
    ctx.addIssue({
      code: "custom",
      message: `nested deeper than the limit of ${limit} levels (objects and arrays)`,
    });
    return z.NEVER;
  }, schema);
}

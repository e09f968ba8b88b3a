import { z } from "zod";

/** A repeated query parameter reaches the schema as an array; say so instead of "expected string, received array". */
export function onceOnly(issue: { input?: unknown }): string | undefined {
  return Array.isArray(issue.input) ? "given more than once; give this parameter once" : undefined;
}

/**
 * An integer query parameter written in decimal digits only: `z.coerce.number()` would also take `0x10`, `1e1`,
 * ` 16` and `16.0`.
 */
export function decimalInt(min: number, max: number) {
  const expected = `a decimal integer from ${min} to ${max}`;
  return z
    .string({ error: (issue) => onceOnly(issue) ?? `expected ${expected}` })
    .regex(/^\d{1,15}$/, `expected ${expected}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected ${expected}`).max(max, `expected ${expected}`));
}

import { AppError } from "@hybrid/service-kit";
import type { z } from "zod";

/** One problem with a request: where (`body.filter.must[0].match`) and what. */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * A zod failure as the 400 the API answers: the message names the first offending field, `details` lists all of them.
 * Union failures (a filter condition matching none of its shapes) are narrowed to the branch that got furthest,
 * so the client reads `filter.must[0].match: Unrecognized key: "valu"` rather than `filter.must: Invalid input`.
 */
export function toValidationError(error: z.ZodError, where: string): AppError {
  const issues = error.issues.map((issue) => describe(issue, [where]));
  const first = issues[0] ?? { field: where, message: "invalid" };
  return new AppError("BAD_REQUEST", `${first.field}: ${first.message}`, {
    details: { field: first.field, issues },
  });
}

/** Formats a path as people write it: `body.filter.must[0].key`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function describe(issue: z.core.$ZodIssue, prefix: PropertyKey[]): FieldIssue {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const branch = pickBranch(issue.errors);
    const shown = branch?.find(isUnknownKey) ?? branch?.[0];
    if (shown) return describe(shown, path);
  }
  if (isUnknownKey(issue)) {
    return { field: formatPath(path.slice(0, -1)), message: `unknown field "${String(path.at(-1))}"` };
  }
  return { field: formatPath(path), message: messageOf(issue) };
}

/**
 * The branch the client most likely meant: fewest "wrong shape" issues (unknown key or missing required key at the
 * branch's top, or not an object at all), then the deepest first issue.
 */
function pickBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  let best: z.core.$ZodIssue[] | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const issues of branches) {
    const first = issues[0];
    if (!first) continue;
    const score = -issues.filter(isShapeMismatch).length * 1000 + depthOf(first);
    if (score > bestScore) {
      best = issues;
      bestScore = score;
    }
  }
  return best;
}

/** `closed()` objects report each unknown key as an `undefined` type error at that key. */
function isUnknownKey(issue: z.core.$ZodIssue): boolean {
  return issue.code === "invalid_type" && issue.expected === "undefined";
}

function isShapeMismatch(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "unrecognized_keys") return issue.path.length === 0;
  if (isUnknownKey(issue)) return issue.path.length === 1;
  if (issue.code === "invalid_type") {
    return (
      issue.path.length === 0 || (issue.path.length === 1 && issue.message.endsWith("received undefined"))
    );
  }
  return false;
}

function depthOf(issue: z.core.$ZodIssue): number {
  if (issue.code === "invalid_union") {
    const inner = pickBranch(issue.errors)?.[0];
    return issue.path.length + (inner ? depthOf(inner) : 0);
  }
  return issue.path.length;
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}

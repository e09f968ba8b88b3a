import { AppError } from "@hybrid/service-kit";
import type { SkipReason } from "../sources/raw-record.js";

export type TextResult = { text: string } | { skip: SkipReason; message: string };

/** Builds the text to embed from a row. */
export type TextBuilder = (row: Record<string, unknown>) => TextResult;

/**
 * Compiles the request's `text`: a field name, a list of fields (present ones joined with a newline), or a
 * template with `{field}` placeholders (any string containing `{`; `{{` and `}}` are literal braces).
 * Fields may be dotted paths (`meta.title`). A template without placeholders or with an unclosed brace is a
 * BAD_REQUEST naming `text`.
 */
export function compileText(spec: string | string[]): TextBuilder {
  if (Array.isArray(spec)) return fieldList(spec);
  if (spec.includes("{") || spec.includes("}")) return template(spec);
  return fieldList([spec]);
}

/** The fields `spec` reads (dotted paths as written), for reading only the columns a row needs. */
export function textFields(spec: string | string[]): string[] {
  if (Array.isArray(spec)) return spec;
  if (!spec.includes("{") && !spec.includes("}")) return [spec];
  return parseTemplate(spec).flatMap((part) => ("field" in part ? [part.field] : []));
}

/** Own-property lookup of a dotted path; `undefined` when any step is missing. */
export function getPath(row: unknown, path: string): unknown {
  let value: unknown = row;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function fieldList(fields: string[]): TextBuilder {
  return (row) => {
    const parts: string[] = [];
    let present = 0;
    for (const field of fields) {
      const value = getPath(row, field);
      if (value === undefined || value === null) continue;
      present += 1;
      if (typeof value !== "string") {
        return { skip: "non_string_text", message: `field "${field}" is ${describe(value)}, not a string` };
      }
      if (value.trim() !== "") parts.push(value);
    }
    const names = fields.map((f) => `"${f}"`).join(", ");
    if (present === 0) return { skip: "missing_text", message: `no text field ${names} in the row` };
    if (parts.length === 0) return { skip: "empty_text", message: `text field ${names} is empty` };
    return { text: parts.join("\n") };
  };
}

type Part = { literal: string } | { field: string };

function template(spec: string): TextBuilder {
  const parts = parseTemplate(spec);
  const fields = parts.filter((p): p is { field: string } => "field" in p).map((p) => p.field);
  return (row) => {
    let text = "";
    for (const part of parts) {
      if ("literal" in part) {
        text += part.literal;
        continue;
      }
      const value = getPath(row, part.field);
      if (value === undefined) {
        return {
          skip: "unknown_template_field",
          message: `template field "${part.field}" is not in the row`,
        };
      }
      if (value === null) continue;
      if (typeof value === "object") {
        return { skip: "non_string_text", message: `template field "${part.field}" is ${describe(value)}` };
      }
      text += String(value);
    }
    if (text.trim() === "") {
      return {
        skip: "empty_text",
        message: `template fields ${fields.map((f) => `"${f}"`).join(", ")} are empty`,
      };
    }
    return { text };
  };
}

function parseTemplate(spec: string): Part[] {
  const parts: Part[] = [];
  let literal = "";
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if ((c === "{" || c === "}") && spec[i + 1] === c) {
      literal += c;
      i += 1;
    } else if (c === "{") {
      const close = spec.indexOf("}", i);
      const field = close === -1 ? "" : spec.slice(i + 1, close).trim();
      if (!field || field.includes("{"))
        throw badTemplate(`unclosed or empty placeholder at character ${i + 1}`);
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ field });
      i = close;
    } else if (c === "}") {
      throw badTemplate(`unmatched "}" at character ${i + 1} (write "}}" for a literal brace)`);
    } else {
      literal += c;
    }
  }
  if (literal) parts.push({ literal });
  if (!parts.some((p) => "field" in p)) throw badTemplate("it has no {field} placeholder");
  return parts;
}

function badTemplate(detail: string): AppError {
  return new AppError("BAD_REQUEST", `invalid text template: ${detail}`, {
    retryable: false,
    details: { issues: [{ path: "text", message: detail }] },
  });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

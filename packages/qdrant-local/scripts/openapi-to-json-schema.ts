import { fileURLToPath } from "node:url";

/** Qdrant's OpenAPI document for the 1.18 line: referenced where it lies (../shared beside the repository), never copied. */
export const OPENAPI_PATH = fileURLToPath(
  new URL("../../../../shared/qdrant/openapi-v1.18.json", import.meta.url),
);

const COMPONENT_REF = "#/components/schemas/";

export interface ConvertOptions {
  /** Where a `#/components/schemas/X` reference points in the converted schema. */
  ref: (name: string) => string;
  /** Keywords left out (besides OpenAPI's own `nullable` and `example`). */
  drop?: ReadonlySet<string>;
}

/**
 * OpenAPI 3.0 schema objects as plain JSON Schema: `nullable` becomes a `null` type (or an `anyOf` with one), and
 * component references are rewritten by `options.ref`.
 */
export function openApiToJsonSchema(node: unknown, options: ConvertOptions): unknown {
  if (Array.isArray(node)) return node.map((item) => openApiToJsonSchema(item, options));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith(COMPONENT_REF))
      out[k] = options.ref(v.slice(COMPONENT_REF.length));
    else if (k !== "nullable" && k !== "example" && !options.drop?.has(k))
      out[k] = openApiToJsonSchema(v, options);
  }
  if ("nullable" in node && node.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (
      out.type === undefined &&
      out.anyOf === undefined &&
      out.oneOf === undefined &&
      out.$ref === undefined
    ) {
      out.type = "null";
    } else if (out.enum === undefined) return { anyOf: [out, { type: "null" }] };
  }
  if (Array.isArray(out.enum) && Array.isArray(out.type) && out.type.includes("null"))
    out.enum = [...out.enum, null];
  return out;
}

/** The names of the component schemas `roots` reference, directly or not, themselves included. */
export function referencedComponents(schemas: Record<string, unknown>, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === "object" && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string" && v.startsWith(COMPONENT_REF))
          enter(v.slice(COMPONENT_REF.length));
        else visit(v);
      }
    }
  };
  const enter = (name: string): void => {
    if (seen.has(name)) return;
    if (!(name in schemas)) throw new Error(`the OpenAPI document has no schema ${name}`);
    seen.add(name);
    visit(schemas[name]);
  };
  roots.forEach(enter);
  return [...seen].sort();
}

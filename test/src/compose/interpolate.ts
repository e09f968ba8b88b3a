/**
 * Compose-style variable interpolation over every string of a parsed compose file: `${VAR}`, `$VAR`, `${VAR:-default}`
 * (default when unset or empty), `${VAR-default}` (when unset), `${VAR:?message}` / `${VAR?message}` (error), `${VAR:+alt}`,
 * `${VAR+alt}`, and `$$` for a literal `$`. Defaults may themselves contain variables. Unset variables become "".
 */
export function interpolate(value: unknown, env: Record<string, string | undefined>, path = ""): unknown {
  if (typeof value === "string") return interpolateString(value, env, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolate(item, env, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return value;
}

export function interpolateString(text: string, env: Record<string, string | undefined>, path = ""): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch !== "$") {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
    } else if (next === "{") {
      const end = matchingBrace(text, i + 1);
      if (end < 0) throw new Error(`${path}: unclosed \${ in ${JSON.stringify(text)}`);
      out += expand(text.slice(i + 2, end), env, path);
      i = end + 1;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (name) {
        out += env[name] ?? "";
        i += 1 + name.length;
      } else {
        out += "$";
        i++;
      }
    }
  }
  return out;
}

function expand(body: string, env: Record<string, string | undefined>, path: string): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!match) throw new Error(`${path}: invalid interpolation \${${body}}`);
  const [, name = "", operator, rest = ""] = match;
  const value = env[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== "";
  switch (operator) {
    case undefined:
      return value ?? "";
    case ":-":
      return nonEmpty ? (value ?? "") : interpolateString(rest, env, path);
    case "-":
      return set ? (value ?? "") : interpolateString(rest, env, path);
    case ":?":
    case "?":
      if (operator === ":?" ? nonEmpty : set) return value ?? "";
      throw new Error(`${path}: required variable ${name} is missing a value: ${rest}`);
    case ":+":
      return nonEmpty ? interpolateString(rest, env, path) : "";
    case "+":
      return set ? interpolateString(rest, env, path) : "";
    default:
      throw new Error(`${path}: unknown operator ${operator} in \${${body}}`);
  }
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

import type { z } from "zod";

/** Thrown when the environment does not satisfy a service's schema; `message` is one line naming every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly issues: string[]) {
    super(`invalid configuration: ${issues.join("; ")}`);
  }
}

type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; the schema's keys are the variable names, so each issue names its variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const value = typeof issue.path[0] === "string" ? env[issue.path[0]] : undefined;
    const shown = value === undefined ? "unset" : looksSecret(name) ? "value hidden" : JSON.stringify(value);
    return `${name} (${shown}): ${issue.message}`;
  });
  throw new ConfigError(issues);
}

function looksSecret(name: string): boolean {
  return /KEY|SECRET|TOKEN|PASSWORD/i.test(name);
}

/**
 * For `main`: the parsed config, or one line on stderr and exit code 1. A stack trace would bury the line
 * that says which variable to fix.
 */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

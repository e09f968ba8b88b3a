import type { z } from "zod";

/** A request to one of the services failed: not reachable, a non-2xx answer, or a body of the wrong shape. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    message: string,
    /** HTTP status, or 0 when no answer came. */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface HttpJsonOptions {
  /** Bearer token, when the service requires one. */
  apiKey?: string;
  timeoutMs?: number;
}

/** Sends `body` (if any) as JSON and validates the JSON answer with `schema`; errors name the URL and the reason. */
export async function requestJson<S extends z.ZodType>(
  method: "GET" | "POST",
  url: string,
  schema: S,
  body: unknown,
  options: HttpJsonOptions = {},
): Promise<z.output<S>> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new ApiError(`${method} ${url}: no answer (${cause})`, 0);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ApiError(`${method} ${url}: HTTP ${response.status}: ${text.slice(0, 500)}`, response.status);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(`${method} ${url}: answer is not JSON: ${text.slice(0, 200)}`, response.status);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      `${method} ${url}: unexpected answer (${issue?.path.join(".") || "body"}: ${issue?.message}): ${text.slice(0, 300)}`,
      response.status,
    );
  }
  return parsed.data;
}

/** True when `GET <url>` answers at all within `timeoutMs` (any status). */
export async function answers(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

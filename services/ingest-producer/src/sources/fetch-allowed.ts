import { redactUrl, redactUrlsIn } from "@hybrid/logger";
import { AppError } from "@hybrid/service-kit";
import { fetch, type Response } from "undici";
import { publicOnlyAgent } from "./public-only-agent.js";
import { assertUrlAllowed, parseAllowList } from "./url-allow-list.js";

/**
 * GETs `href`, following redirects by hand (at most `maxRedirects`), each hop checked against the allow-list, hops
 * allowed only by a wildcard connecting through a DNS lookup that refuses private addresses. `user:pass@` is sent
 * as HTTP Basic to its own origin only. Answers the last response (any status) and its URL.
 */
export async function fetchAllowed(
  href: string,
  policy: { allowHosts: string[]; maxRedirects?: number | undefined },
  signal: AbortSignal | undefined,
  extraHeaders: Record<string, string> = {},
): Promise<{ response: Response; url: URL }> {
  const entries = parseAllowList(policy.allowHosts);
  let url = new URL(href);
  const origin = url.origin;
  const credentials = basicAuth(url);
  let response: Response | undefined;
  for (let hop = 0; hop <= (policy.maxRedirects ?? 5); hop++) {
    const how = assertUrlAllowed(url, entries);
    const target = new URL(url);
    target.username = "";
    target.password = "";
    const headers = {
      ...extraHeaders,
      ...(credentials && url.origin === origin ? { authorization: credentials } : {}),
    };
    response = await fetch(target, {
      redirect: "manual",
      ...(how === "public" ? { dispatcher: publicOnlyAgent(url) } : {}),
      headers,
      ...(signal ? { signal } : {}),
    }).catch((error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof AppError) throw cause;
      const reason = redactUrlsIn(String((cause as Error | undefined)?.message ?? (error as Error).message));
      throw new AppError("UNAVAILABLE", `cannot fetch ${redactUrl(url.href)}: ${reason}`, { cause: error });
    });
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = nextHop(url, location);
      continue;
    }
    break;
  }
  if (!response || (response.status >= 300 && response.status < 400)) {
    await response?.body?.cancel();
    throw new AppError("UPSTREAM", `too many redirects from ${redactUrl(href)}`, { retryable: false });
  }
  return { response, url };
}

/** A body fetched through the allow-list, counted and capped. */
export interface FetchedBody {
  /** Where it came from, after redirects. */
  url: URL;
  /** The announced length, when there is one. */
  size: number | undefined;
  /** The bytes; past `maxBytes` it fails with PAYLOAD_TOO_LARGE. */
  body: AsyncGenerator<Uint8Array>;
  /** Bytes consumed so far. */
  read(): number;
}

/**
 * GETs `href` through `fetchAllowed` for its body: UPSTREAM unless it answers 2xx (retryable for a 5xx), and
 * PAYLOAD_TOO_LARGE when its announced or actual size passes `maxBytes` (URL_MAX_BYTES).
 */
export async function fetchBody(
  href: string,
  policy: { allowHosts: string[]; maxBytes: number; maxRedirects?: number | undefined },
  signal: AbortSignal | undefined,
): Promise<FetchedBody> {
  const { response, url } = await fetchAllowed(href, policy, signal);
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new AppError("UPSTREAM", `GET ${redactUrl(url.href)} answered ${response.status}`, {
      retryable: response.status >= 500,
    });
  }
  const announced = Number(response.headers.get("content-length") ?? Number.NaN);
  if (announced > policy.maxBytes) {
    await response.body.cancel();
    throw bodyTooLarge(url, policy.maxBytes);
  }
  let read = 0;
  const stream = response.body;
  const body = (async function* () {
    for await (const chunk of stream) {
      read += chunk.byteLength;
      if (read > policy.maxBytes) throw bodyTooLarge(url, policy.maxBytes);
      yield chunk;
    }
  })();
  return { url, size: Number.isFinite(announced) ? announced : undefined, body, read: () => read };
}

function bodyTooLarge(url: URL, maxBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `${redactUrl(url.href)} is larger than the ${maxBytes}-byte limit (URL_MAX_BYTES)`,
    { retryable: false },
  );
}

function nextHop(from: URL, location: string): URL {
  try {
    return new URL(location, from);
  } catch {
    throw new AppError(
      "UPSTREAM",
      `${redactUrl(from.href)} redirected to an invalid URL: ${redactUrl(location)}`,
      {
        retryable: false,
      },
    );
  }
}

/** `Basic <base64>` from the URL's `user:pass@`, or undefined. */
function basicAuth(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}

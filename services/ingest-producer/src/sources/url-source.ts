import { createHash } from "node:crypto";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { redactUrl, redactUrlsIn } from "@hybrid/logger";
import type { CsvOptions, SourceEncoding } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { fetch, type Response } from "undici";
import { openRecords } from "./open-records.js";
import { publicOnlyAgent } from "./public-only-agent.js";
import type { OpenedSource } from "./raw-record.js";
import type { DataFormat } from "./sniff-format.js";
import { assertUrlAllowed, isPrivateAddress, parseAllowList, privateAddress } from "./url-allow-list.js";

export interface UrlPolicy {
  /** `URL_ALLOW_HOSTS` entries (syntax in url-allow-list.ts); empty: no URL may be read. */
  allowHosts: string[];
  maxBytes: number;
  maxRowBytes: number;
  /** Redirects followed, each checked against the allow-list (default 5). */
  maxRedirects?: number;
}

/**
 * Throws BAD_REQUEST unless `url` is on the allow-list, and, when only a wildcard allows it, unless its host name
 * resolves to public addresses. For the submit-time answer; the fetch checks every hop again at connect time.
 */
export async function checkUrlSource(url: URL, allowHosts: string[]): Promise<void> {
  const how = assertUrlAllowed(url, parseAllowList(allowHosts));
  if (how === "explicit" || isIP(url.hostname.replace(/^\[|\]$/g, ""))) return;
  // A name that does not resolve now may later: the read job reports that, so only a private answer fails here.
  const addresses = await lookup(url.hostname, { all: true }).catch(() => []);
  const blocked = addresses.find((a) => isPrivateAddress(a.address));
  if (blocked) throw privateAddress(url, blocked.address);
}

/**
 * Streams an http(s) body. Redirects are followed by hand (at most `maxRedirects`) so every hop is checked
 * against the allow-list, and hops allowed only by a wildcard connect through a DNS lookup that refuses private
 * addresses (so a name cannot be re-pointed between the check and the connection). `user:pass@` in the URL is
 * sent as HTTP Basic to its own origin only. A body whose announced or actual size passes `maxBytes` fails with
 * PAYLOAD_TOO_LARGE. A 5xx is retryable.
 */
export async function openUrlSource(
  source: {
    url: string;
    format: DataFormat;
    encoding?: SourceEncoding | undefined;
    csv?: CsvOptions | undefined;
  },
  policy: UrlPolicy,
  signal?: AbortSignal,
): Promise<OpenedSource> {
  const entries = parseAllowList(policy.allowHosts);
  let url = new URL(source.url);
  const origin = url.origin;
  const credentials = basicAuth(url);
  let response: Response | undefined;
  for (let hop = 0; hop <= (policy.maxRedirects ?? 5); hop++) {
    const how = assertUrlAllowed(url, entries);
    const target = new URL(url);
    target.username = "";
    target.password = "";
    const headers = credentials && url.origin === origin ? { authorization: credentials } : undefined;
    response = await fetch(target, {
      redirect: "manual",
      ...(how === "public" ? { dispatcher: publicOnlyAgent(url) } : {}),
      ...(headers ? { headers } : {}),
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
    throw new AppError("UPSTREAM", `too many redirects from ${redactUrl(source.url)}`, { retryable: false });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new AppError("UPSTREAM", `GET ${redactUrl(url.href)} answered ${response.status}`, {
      retryable: response.status >= 500,
    });
  }
  const announced = Number(response.headers.get("content-length") ?? Number.NaN);
  if (announced > policy.maxBytes) {
    await response.body.cancel();
    throw tooLarge(url, policy.maxBytes);
  }
  let read = 0;
  const body = response.body;
  const counted = (async function* () {
    for await (const chunk of body) {
      read += chunk.byteLength;
      if (read > policy.maxBytes) throw tooLarge(url, policy.maxBytes);
      yield chunk;
    }
  })();
  const { records, reader } = await openRecords(counted, {
    format: source.format,
    name: url.pathname,
    shownAs: redactUrl(source.url),
    encoding: source.encoding,
    csv: source.csv,
    maxRowBytes: policy.maxRowBytes,
  });
  return {
    records,
    reader,
    key: urlSourceKey(source.url),
    bytes: () => ({ read, total: Number.isFinite(announced) ? announced : undefined }),
  };
}

function tooLarge(url: URL, maxBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `${redactUrl(url.href)} is larger than the ${maxBytes}-byte limit (URL_MAX_BYTES)`,
    {
      retryable: false,
    },
  );
}

/**
 * The base of derived row ids (they reach payloads and error texts): `url:<url>` as before for a plain URL; one with
 * credentials or a query shows redacted, plus a hash of the whole URL so `?page=1` and `?page=2` stay apart.
 */
export function urlSourceKey(url: string): string {
  const shown = redactUrl(url);
  if (shown === url) return `url:${url}`;
  return `url:${shown}~${createHash("sha256").update(url).digest("hex").slice(0, 12)}`;
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

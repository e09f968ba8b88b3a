import type { SourceEncoding } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { asUtf8 } from "./decode-text.js";
import type { OpenedSource } from "./raw-record.js";
import { type DataFormat, readRecords } from "./sniff-format.js";

export interface UrlPolicy {
  /** Hostnames (or `host:port`) allowed; `*.example.com` matches subdomains; `*` allows any. Empty: none. */
  allowHosts: string[];
  maxBytes: number;
  maxRowBytes: number;
  /** Redirects followed, each checked against the allow-list (default 5). */
  maxRedirects?: number;
}

/** Throws BAD_REQUEST unless `url`'s host is on the allow-list. */
export function assertHostAllowed(url: URL, allowHosts: string[]): void {
  const host = url.hostname.toLowerCase();
  const ok = allowHosts.some((entry) => {
    const rule = entry.toLowerCase();
    if (rule === "*") return true;
    if (rule.startsWith("*.")) return host.endsWith(rule.slice(1));
    return rule === host || rule === url.host.toLowerCase();
  });
  if (!ok) {
    throw new AppError("BAD_REQUEST", `host "${url.host}" is not on the URL allow-list (URL_ALLOW_HOSTS)`, {
      details: { path: "source.url" },
    });
  }
}

/**
 * Streams an http(s) body. Redirects are followed by hand so every hop is checked against the allow-list; a body
 * whose announced or actual size passes `maxBytes` fails with PAYLOAD_TOO_LARGE. A 5xx is retryable.
 */
export async function openUrlSource(
  source: { url: string; format: DataFormat; encoding?: SourceEncoding | undefined },
  policy: UrlPolicy,
  signal?: AbortSignal,
): Promise<OpenedSource> {
  let url = new URL(source.url);
  let response: Response | undefined;
  for (let hop = 0; hop <= (policy.maxRedirects ?? 5); hop++) {
    assertHostAllowed(url, policy.allowHosts);
    response = await fetch(url, { redirect: "manual", ...(signal ? { signal } : {}) }).catch(
      (error: unknown) => {
        throw new AppError("UNAVAILABLE", `cannot fetch ${url.href}: ${(error as Error).message}`, {
          cause: error,
        });
      },
    );
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      continue;
    }
    break;
  }
  if (!response || (response.status >= 300 && response.status < 400)) {
    throw new AppError("UPSTREAM", `too many redirects from ${source.url}`, { retryable: false });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new AppError("UPSTREAM", `GET ${url.href} answered ${response.status}`, {
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
  const format = source.format === "auto" && /\.jsonl(\.gz)?$/.test(url.pathname) ? "jsonl" : source.format;
  return {
    records: readRecords(asUtf8(counted, source.encoding), format, { maxRowBytes: policy.maxRowBytes }),
    key: `url:${source.url}`,
    bytes: () => ({ read, total: Number.isFinite(announced) ? announced : undefined }),
  };
}

function tooLarge(url: URL, maxBytes: number): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    `${url.href} is larger than the ${maxBytes}-byte limit (URL_MAX_BYTES)`,
    {
      retryable: false,
    },
  );
}

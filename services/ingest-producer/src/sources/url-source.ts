import { createHash } from "node:crypto";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { redactUrl } from "@hybrid/logger";
import type { CsvOptions, ReadPosition, SourceEncoding } from "@hybrid/queue";
import { AppError } from "@hybrid/service-kit";
import { fetchBody } from "./fetch-allowed.js";
import { openRecords } from "./open-records.js";
import { PARQUET_MAGIC } from "./parquet-rows.js";
import { openParquetSource } from "./parquet-source.js";
import { peekBytes } from "./peek-bytes.js";
import type { OpenedSource, ReaderInfo } from "./raw-record.js";
import { type DataFormat, formatFromName } from "./sniff-format.js";
import { assertUrlAllowed, isPrivateAddress, parseAllowList, privateAddress } from "./url-allow-list.js";
import { urlRangeBuffer } from "./url-range-buffer.js";

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
  columns?: string[],
  from?: ReadPosition,
): Promise<OpenedSource> {
  const { url, size: announced, body: counted, read } = await fetchBody(source.url, policy, signal);
  const parquet = await parquetUrlDetection(source.format, url.pathname, counted);
  if (parquet.detectedBy) {
    await counted.return(undefined);
    if (announced === undefined) {
      throw new AppError(
        "UPSTREAM",
        `${redactUrl(url.href)} has no Content-Length; reading Parquet from a URL needs one`,
        { retryable: false },
      );
    }
    let fetched = 0;
    const file = urlRangeBuffer(url.href, announced, policy, signal, (bytes) => {
      fetched += bytes;
    });
    return openParquetSource(file, {
      name: redactUrl(source.url),
      key: urlSourceKey(source.url),
      columns,
      maxRowBytes: policy.maxRowBytes,
      detectedBy: parquet.detectedBy,
      read: () => fetched,
      from,
    });
  }
  const { records, reader } = await openRecords(parquet.stream, {
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
    bytes: () => ({ read: read(), total: announced }),
  };
}

/**
 * Whether a URL body is Parquet: the request says so, the path ends in `.parquet`, or (`auto`, no telling
 * extension) the body starts with `PAR1`. The bytes looked at are replayed in `stream`.
 */
async function parquetUrlDetection(
  format: DataFormat,
  pathname: string,
  body: AsyncIterable<Uint8Array>,
): Promise<{ detectedBy?: ReaderInfo["detectedBy"]; stream: AsyncIterable<Uint8Array> }> {
  if (format === "parquet") return { detectedBy: "request", stream: body };
  const named = formatFromName(pathname);
  if (format !== "auto" || named !== "auto") {
    return { ...(named === "parquet" && format === "auto" ? { detectedBy: "extension" } : {}), stream: body };
  }
  const { head, stream } = await peekBytes(body, 4);
  return head.subarray(0, 4).equals(PARQUET_MAGIC) ? { detectedBy: "content", stream } : { stream };
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

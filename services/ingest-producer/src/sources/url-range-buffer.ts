import { redactUrl } from "@hybrid/logger";
import { AppError } from "@hybrid/service-kit";
import type { AsyncBuffer } from "hyparquet";
import type { Response } from "undici";
import { fetchAllowed } from "./fetch-allowed.js";

/** GETs one byte range (`range` is the header value), answering the response and the URL it came from. */
export type RangeGet = (range: string) => Promise<{ response: Response; url: URL }>;

/**
 * `byteLength` bytes behind HTTP range requests as an AsyncBuffer, for readers that need random access (Parquet).
 * A server that ignores ranges is an UPSTREAM error naming that need; a 5xx or 429 is retryable.
 */
export function httpRangeBuffer(
  byteLength: number,
  get: RangeGet,
  onRead: (bytes: number) => void,
): AsyncBuffer {
  return {
    byteLength,
    async slice(start, end = byteLength) {
      if (end <= start) return new ArrayBuffer(0);
      const range = `bytes=${start}-${end - 1}`;
      const { response, url } = await get(range);
      if (response.status !== 206) {
        await response.body?.cancel();
        const why =
          response.status === 200
            ? "answered the whole file: it does not serve byte ranges, which reading Parquet from a URL needs"
            : `answered ${response.status}`;
        throw new AppError("UPSTREAM", `GET ${redactUrl(url.href)} (${range}) ${why}`, {
          retryable: response.status >= 500 || response.status === 429,
        });
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length !== end - start) {
        throw new AppError(
          "UPSTREAM",
          `GET ${redactUrl(url.href)} (${range}) sent ${bytes.length} bytes instead of ${end - start}`,
          { retryable: true },
        );
      }
      onRead(bytes.length);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** A user's URL as an AsyncBuffer: every range request goes through the allow-list checks, redirects included. */
export function urlRangeBuffer(
  href: string,
  byteLength: number,
  policy: { allowHosts: string[]; maxRedirects?: number | undefined },
  signal: AbortSignal | undefined,
  onRead: (bytes: number) => void,
): AsyncBuffer {
  return httpRangeBuffer(byteLength, (range) => fetchAllowed(href, policy, signal, { range }), onRead);
}

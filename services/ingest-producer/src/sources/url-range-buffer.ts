import { redactUrl } from "@hybrid/logger";
import { AppError } from "@hybrid/service-kit";
import type { AsyncBuffer } from "hyparquet";
import { fetchAllowed } from "./fetch-allowed.js";

/**
 * A URL as an AsyncBuffer of `byteLength` bytes, read with HTTP range requests (each through the allow-list checks,
 * redirects included), for readers that need random access (Parquet). A server that ignores ranges is an UPSTREAM
 * error naming that need; a 5xx is retryable.
 */
export function urlRangeBuffer(
  href: string,
  byteLength: number,
  policy: { allowHosts: string[]; maxRedirects?: number | undefined },
  signal: AbortSignal | undefined,
  onRead: (bytes: number) => void,
): AsyncBuffer {
  return {
    byteLength,
    async slice(start, end = byteLength) {
      if (end <= start) return new ArrayBuffer(0);
      const range = `bytes=${start}-${end - 1}`;
      const { response, url } = await fetchAllowed(href, policy, signal, { range });
      if (response.status !== 206) {
        await response.body?.cancel();
        const why =
          response.status === 200
            ? "answered the whole file: it does not serve byte ranges, which reading Parquet from a URL needs"
            : `answered ${response.status}`;
        throw new AppError("UPSTREAM", `GET ${redactUrl(url.href)} (${range}) ${why}`, {
          retryable: response.status >= 500,
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

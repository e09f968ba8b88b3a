import { QdrantClient } from "@qdrant/js-client-rest";

export type { QdrantClient };

export interface QdrantClientOptions {
  /** `http(s)://host[:port][/prefix]`; without a port, the scheme's default port. */
  url: string;
  apiKey?: string | undefined;
  /** Per-request timeout; a request that takes longer fails with a retryable TIMEOUT (see `toAppError`). */
  timeoutMs: number;
}

/**
 * The official REST client, configured once in `main`.
 * - `checkCompatibility` is off: that check is a request fired from the constructor whose failure only prints a
 *   console warning; `/readyz` and the first real call report an unreachable or incompatible store instead.
 * - The API key travels as the `api-key` header set directly: the client's own `apiKey` option also prints a
 *   console warning on plain http, which is normal inside a compose network.
 * - The client ignores a path in `url` and defaults a missing port to 6333, so both are passed explicitly.
 */
export function createQdrantClient({ url, apiKey, timeoutMs }: QdrantClientOptions): QdrantClient {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === "https:" ? 443 : 80;
  const prefix = parsed.pathname.replace(/\/+$/, "");
  return new QdrantClient({
    url: `${parsed.protocol}//${parsed.hostname}`,
    port,
    ...(prefix ? { prefix } : {}),
    ...(apiKey ? { headers: { "api-key": apiKey } } : {}),
    timeout: timeoutMs,
    checkCompatibility: false,
  });
}

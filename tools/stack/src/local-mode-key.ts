import { randomBytes } from "node:crypto";

/**
 * The API key the stack starts the local mode with: `QDRANT_API_KEY` when set (the services send it already);
 * a generated one when only `API_KEYS` is set (the services are locked, so their store must not stay open);
 * none when neither is set (a local, open setup, as before).
 */
export function localModeApiKey(env: Record<string, string | undefined>): {
  key?: string;
  generated: boolean;
} {
  if (env.QDRANT_API_KEY) return { key: env.QDRANT_API_KEY, generated: false };
  if (env.API_KEYS?.split(",").some((k) => k.trim())) {
    return { key: randomBytes(24).toString("base64url"), generated: true };
  }
  return { generated: false };
}

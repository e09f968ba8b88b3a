import type { Hono } from "hono";
import type { AppEnv } from "./http-app.js";

/** A named readiness check: resolves when the dependency answers, throws (or rejects) when it does not. */
export type ReadinessCheck = { name: string; check: () => Promise<unknown> };

/** `/healthz`: the process is alive. `/readyz`: every dependency answers within `timeoutMs`. */
export function mountHealthRoutes(app: Hono<AppEnv>, checks: ReadinessCheck[], timeoutMs = 2000): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, "ok"] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === "ok");
    return c.json(
      { status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) },
      ready ? 200 : 503,
    );
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

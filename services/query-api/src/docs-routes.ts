import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "@hybrid/service-kit";

export interface DocsOptions {
  title: string;
  version: string;
  /** Adds the security schemes (Bearer or `x-api-key`, as on the producer) to the document when API keys are on. */
  apiKeys: boolean;
}

/** Swagger UI's files, served by the service itself so `/docs` works without internet. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

/** `/openapi.json` generated from the routes' zod schemas, and `/docs` (Swagger UI) reading it. */
export function mountDocsRoutes(api: OpenAPIHono<AppEnv>, options: DocsOptions): void {
  if (options.apiKeys) {
    api.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
    api.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
      type: "apiKey",
      in: "header",
      name: "x-api-key",
    });
  }
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: options.title,
      version: options.version,
      description: "Hybrid (dense + sparse) search over Qdrant: one query call, fusion done by Qdrant.",
    },
    ...(options.apiKeys ? { security: [{ bearer: [] }, { apiKey: [] }] } : {}),
  });

  const assetDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const loaded = new Map<string, Buffer>();
  api.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = ASSETS[file];
    if (!type) return c.notFound();
    let body = loaded.get(file);
    if (!body) {
      body = await readFile(join(assetDir, file));
      loaded.set(file, body);
    }
    return c.body(new Uint8Array(body), 200, {
      "content-type": type,
      "cache-control": "public, max-age=86400",
    });
  });
  api.get("/docs", (c) => c.html(docsPage(options.title)));
}

function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – API docs</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
</script>
</body>
</html>`;
}

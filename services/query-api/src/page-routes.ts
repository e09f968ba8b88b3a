import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AppEnv } from "@hybrid/service-kit";
import type { Hono } from "hono";

/** Where the search page's files are: `public/` beside this module (tsup copies it beside the bundle). */
export const DEFAULT_PAGE_DIR = fileURLToPath(new URL("./public/", import.meta.url));

const FILES: Record<string, { name: string; type: string }> = {
  "/": { name: "index.html", type: "text/html; charset=utf-8" },
  "/ingest": { name: "ingest.html", type: "text/html; charset=utf-8" },
  "/ingest.js": { name: "ingest.js", type: "text/javascript; charset=utf-8" },
  "/ingest-preview.js": { name: "ingest-preview.js", type: "text/javascript; charset=utf-8" },
  "/app.js": { name: "app.js", type: "text/javascript; charset=utf-8" },
  "/facet-filter.js": { name: "facet-filter.js", type: "text/javascript; charset=utf-8" },
  "/dom.js": { name: "dom.js", type: "text/javascript; charset=utf-8" },
  "/render-hit.js": { name: "render-hit.js", type: "text/javascript; charset=utf-8" },
  "/explain-view.js": { name: "explain-view.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { name: "style.css", type: "text/css; charset=utf-8" },
};

/** The search page at `/`: static HTML, JS and CSS, no build step. Files are read once, on first request. */
export function mountPageRoutes(app: Hono<AppEnv>, pageDir = DEFAULT_PAGE_DIR): void {
  const loaded = new Map<string, string>();
  for (const [path, file] of Object.entries(FILES)) {
    app.get(path, async (c) => {
      let body = loaded.get(file.name);
      if (body === undefined) {
        body = await readFile(join(pageDir, file.name), "utf8");
        loaded.set(file.name, body);
      }
      return c.body(body, 200, { "content-type": file.type, "cache-control": "no-cache" });
    });
  }
}

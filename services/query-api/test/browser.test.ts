import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningChild, spawnNodeUntil } from "./support/child.js";
import { MODEL_CACHE_DIR, SERVICE_DIR } from "./support/paths.js";

// The service as a child process started the way `pnpm start` starts it, against the seeded local mode; the search
// page and the API docs driven in Debian's Chromium. Without Chromium the test is skipped locally and fails in CI.

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = resolve(SERVICE_DIR, "artifacts");
const haveChromium = existsSync(CHROMIUM);

let service: RunningChild | undefined;
let base: string;

beforeAll(async () => {
  const { child, value: port } = await spawnNodeUntil({
    args: ["--import", "tsx", "src/main.ts"],
    cwd: SERVICE_DIR,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      QDRANT_URL: inject("qdrantUrl"),
      DEFAULT_COLLECTION: inject("startupsCollection"),
      MODEL_CACHE_DIR,
      LOG_LEVEL: "info",
      LOG_PRETTY: "false",
    },
    match: (line) =>
      line.msg === "query API listening" && typeof line.port === "number" ? line.port : undefined,
    timeoutMs: 60_000,
  });
  service = child;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await service?.stop("SIGKILL");
});

describe("the service process", () => {
  it("answers /healthz at once and becomes ready once the models have loaded", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const deadline = Date.now() + 60_000;
    let last: unknown;
    while (Date.now() < deadline) {
      const res = await fetch(`${base}/readyz`);
      last = await res.json();
      if (res.status === 200) break;
      expect(last).toMatchObject({ status: "not ready" });
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(last).toEqual({ status: "ready", checks: { models: "ok", qdrant: "ok" } });
  });
});

describe.skipIf(!haveChromium && !process.env.CI)("the search page in Chromium", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!haveChromium)
      throw new Error(`Chromium is required in CI: ${CHROMIUM} does not exist (apt-get install chromium)`);
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const titles = () => page.locator("#results .hit-title").allTextContents();
  const cities = () => page.locator('#results dd[data-field="city"]').allTextContents();

  it("searches, shows payload fields, scores and timings, and narrows by the keyword filter", async () => {
    await page.goto(`${base}/`);
    await page.locator("#q").fill("parking app for drivers");
    await page.locator("#q").press("Enter");
    await page.locator("#results .hit").first().waitFor();
    expect((await titles())[0]).toBe("SpotHero");
    expect(await page.locator("#results .score").first().textContent()).toMatch(/^score \d+\.\d{4}$/);
    const status = (await page.locator("#status").textContent()) ?? "";
    expect(status).toMatch(
      /10 results from .* \(hybrid\) · embed [\d.]+ ms · search [\d.]+ ms · total [\d.]+ ms/,
    );
    expect(new Set(await cities()).size).toBeGreaterThan(0);

    await page.locator("#filter-value").fill("London");
    // Page-side expressions are strings: this package's types have no DOM.
    await page.waitForFunction(`(() => {
      const cities = [...document.querySelectorAll('#results dd[data-field="city"]')];
      return cities.length > 0 && cities.every((d) => d.textContent === "London");
    })()`);
    const london = await cities();
    expect(london.length).toBeGreaterThan(0);
    expect(new Set(london)).toEqual(new Set(["London"]));
    await page.screenshot({ path: resolve(ARTIFACTS, "search-page.png"), fullPage: true });

    await page.locator("#mode").selectOption("sparse");
    await page.waitForFunction(`document.querySelector("#status")?.textContent?.includes("(sparse)")`);
    await page.screenshot({ path: resolve(ARTIFACTS, "search-page-sparse.png"), fullPage: true });
  });

  it("shows the API's error message for a bad request", async () => {
    // `maxlength` stops typing past the limit; set the value directly to send an over-long query.
    await page.locator("#q").evaluate((input, text) => {
      (input as unknown as { value: string }).value = text;
    }, "x".repeat(65_537));
    await page.locator("#q").press("Enter");
    await page.locator("#error").waitFor({ state: "visible" });
    expect(await page.locator("#error").textContent()).toBe(
      "body.query: at most 65536 bytes (64 KiB) of UTF-8",
    );
    expect(await page.locator("#results .hit").count()).toBe(0);
  });

  it("renders the interactive API docs without internet", async () => {
    await page.goto(`${base}/docs`);
    await page.locator(".swagger-ui .opblock").first().waitFor({ timeout: 20_000 });
    const paths = await page.locator(".opblock-summary-path").allTextContents();
    expect(paths.map((p) => p.replace(/\u200b/g, ""))).toEqual(
      expect.arrayContaining(["/v1/search", "/v1/search/batch", "/api/search", "/v1/collections/{name}"]),
    );
    await page.screenshot({ path: resolve(ARTIFACTS, "docs-page.png") });
  });
});

describe("graceful shutdown", () => {
  it("exits 0 on SIGTERM", async () => {
    const code = await service?.stop("SIGTERM");
    expect(code).toBe(0);
  });
});

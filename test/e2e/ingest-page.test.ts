import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { repoRoot } from "@hybrid/stack";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeTempDir,
  type ServiceProcess,
  startQdrantLocalProcess,
  startService,
} from "../src/harness/index.js";
import {
  collectionName,
  countPoints,
  type IngestionStack,
  makeRows,
  startIngestionStack,
} from "./ingestion-support.js";

// The ingestion page of the query API, driven in Chromium, against the real stack as processes: the local mode, the
// producer, one embed worker, and the query API forwarding /ingest/v1/jobs... to the producer (PRODUCER_URL).

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = resolve(repoRoot, "services/query-api/artifacts");
const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium && !process.env.CI)("the ingestion page in Chromium", () => {
  let qdrantUrl: string;
  let stack: IngestionStack;
  let queryApi: ServiceProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`Chromium is required in CI: ${CHROMIUM} does not exist`);
    await mkdir(ARTIFACTS, { recursive: true });
    qdrantUrl = (await startQdrantLocalProcess()).url;
    stack = await startIngestionStack({ qdrantUrl, dataDir: makeTempDir("e2e-ingest-page-"), workers: 1 });
    queryApi = await startService(
      "query-api",
      {
        QDRANT_URL: qdrantUrl,
        PRODUCER_URL: stack.producer.url,
        DENSE_MODEL: "offline/use-lite",
        SPARSE_MODEL: "Qdrant/bm25",
      },
      { waitReady: true },
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("previews a file's first rows as text, uploads it, and follows it to completion with the expected points", async () => {
    const rows = makeRows(30, 12).map((row, i) => ({ ...row, year: 2000 + i }));
    // Two rows without an id: skipped, and counted with their reason.
    const lines = [...rows, { title: "no id", text: "skipped" }, { title: "no id either", text: "skipped" }];
    const collection = collectionName("page-upload");
    await page.goto(`${queryApi.url}/ingest`);
    await page.locator("#file").setInputFiles({
      name: "studies.jsonl",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(`${lines.map((r) => JSON.stringify(r)).join("\n")}\n`),
    });
    await page.locator("#collection").fill(collection);
    await page.locator("#text").fill("{title}. {text}");
    await page.locator("#id-field").fill("id");
    await page.locator("#preview-button").click();
    await page.locator("#preview-rows tr").first().waitFor();
    expect(await page.locator("#preview-rows tr").count()).toBe(5);
    expect(await page.locator("#preview-rows tr").first().locator("td").allTextContents()).toEqual([
      "row-0",
      `${rows[0]?.title}. ${rows[0]?.text}`,
    ]);

    // The producer maps the preview with the ingestion's own rules: an id-less row shows its skip reason.
    await page.locator("#id-field").fill("title");
    await page.locator("#text").fill("{text} ({year})");
    await page.locator("#preview-button").click();
    await page.waitForFunction(
      `document.querySelector("#preview-rows td:last-child")?.textContent?.endsWith("(2000)")`,
    );
    expect(await page.locator("#preview-rows tr").first().locator("td").first().textContent()).toBe(
      rows[0]?.title,
    );
    await page.locator("#id-field").fill("id");
    await page.locator("#text").fill("{title}. {text}");
    await page.locator("#preview-button").click();
    await page.waitForFunction(`document.querySelector("#preview-rows td")?.textContent === "row-0"`);

    await page.locator("#submit").click();
    const job = page.locator('#jobs .job[data-state="completed"]');
    await job.waitFor({ timeout: 90_000 });
    const counts = (await job.locator(".job-counts").textContent()) ?? "";
    expect(counts).toMatch(/^read 32 · upserted 30 · skipped 2 · failed 0 · pending 0 · points 30 · /);
    expect(await job.locator(".job-skips li").allTextContents()).toEqual(["skipped 2: missing_id"]);
    expect(await countPoints(qdrantUrl, collection)).toBe(30);
    await page.screenshot({ path: resolve(ARTIFACTS, "ingest-page.png"), fullPage: true });

    // The new collection on the search page: its numeric field offered as a range filter.
    await page.goto(`${queryApi.url}/?q=${encodeURIComponent("vitamin D study")}&collection=${collection}`);
    await page.locator("#results .hit").first().waitFor();
    await page.locator("#filter-key").selectOption("year");
    expect(await page.locator("#filter-min").getAttribute("placeholder")).toBe("2000");
    expect(await page.locator("#filter-max").getAttribute("placeholder")).toBe("2029");
    await page.locator("#filter-min").fill("2010");
    await page.locator("#filter-max").fill("2012");
    await page.waitForFunction(`(() => {
      const years = [...document.querySelectorAll('#results dd[data-field="year"]')].map((d) => Number(d.textContent));
      return years.length === 3 && years.every((y) => y >= 2010 && y <= 2012);
    })()`);
    expect(new URL(page.url()).searchParams.get("min")).toBe("2010");
  });

  it("cancels a running ingestion from its Cancel button", async () => {
    const collection = collectionName("page-cancel");
    await page.goto(`${queryApi.url}/ingest`);
    await page.locator("#file").setInputFiles({
      name: "many.jsonl",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from(
        `${makeRows(4000, 60)
          .map((r) => JSON.stringify(r))
          .join("\n")}\n`,
      ),
    });
    await page.locator("#collection").fill(collection);
    await page.locator("#text").fill("text");
    await page.locator("#submit").click();
    const card = page.locator(`#jobs .job:has-text("${collection}")`);
    await card.locator(".cancel").click({ timeout: 30_000 });
    await page
      .locator(`#jobs .job[data-state="cancelled"]:has-text("${collection}")`)
      .waitFor({ timeout: 60_000 });
    const counts = (await card.locator(".job-counts").textContent()) ?? "";
    const upserted = Number(/upserted (\d+)/.exec(counts)?.[1]);
    expect(upserted).toBeLessThan(4000);
  });

  it("works at phone width with the keyboard: every control labelled, no sideways scrolling", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(`${queryApi.url}/ingest`);
    await phone.locator("#jobs .job").first().waitFor();
    const overflow = await phone.evaluate(`document.documentElement.scrollWidth - window.innerWidth`);
    expect(overflow).toBeLessThanOrEqual(0);
    const unlabelled = await phone.evaluate(`[...document.querySelectorAll("input, select, button")]
      .filter((e) => !(e.labels?.length || e.getAttribute("aria-label") || e.textContent.trim()))
      .map((e) => e.id || e.name)`);
    expect(unlabelled).toEqual([]);
    // Arrow keys move between the source types, as radio buttons do; the URL field appears.
    await phone.locator('input[value="upload"]').focus();
    await phone.keyboard.press("ArrowRight");
    expect(await phone.locator("#url").isVisible()).toBe(true);
    expect(await phone.locator("#file").isVisible()).toBe(false);
    await phone.screenshot({ path: resolve(ARTIFACTS, "ingest-phone.png"), fullPage: true });
    await phone.close();
  });

  it("previews a URL source through the producer, which refuses a host not on its allow-list", async () => {
    await page.goto(`${queryApi.url}/ingest`);
    await page.locator('input[value="url"]').check();
    await page.locator("#url").fill("https://example.org/rows.jsonl");
    await page.locator("#collection").fill("anything");
    await page.locator("#text").fill("text");
    await page.locator("#preview-button").click();
    await page.locator("#error").waitFor({ state: "visible" });
    expect(await page.locator("#error").textContent()).toMatch(/example\.org/);
  });

  it("answers the producer's own errors through the page (a bad collection name)", async () => {
    await page.goto(`${queryApi.url}/ingest`);
    await page.locator("#file").setInputFiles({
      name: "one.jsonl",
      mimeType: "application/x-ndjson",
      buffer: Buffer.from('{"id":"a","text":"x"}\n'),
    });
    await page.locator("#collection").fill("..");
    await page.locator("#text").fill("text");
    // Past the input's own pattern check, straight to the producer.
    await page
      .locator("#ingest-form")
      .evaluate((form) => ((form as unknown as { noValidate: boolean }).noValidate = true));
    await page.locator("#submit").click();
    await page.locator("#error").waitFor({ state: "visible" });
    expect(await page.locator("#error").textContent()).toMatch(/collection/);
  });
});

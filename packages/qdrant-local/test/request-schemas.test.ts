import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateRequestSchemas, OUTPUT_PATH } from "../scripts/generate-request-schemas.js";

describe("generated request schemas", () => {
  it("are what Qdrant's OpenAPI document in ../shared gives now (run `pnpm -F @hybrid/qdrant-local generate` when not)", async () => {
    expect(await generateRequestSchemas()).toBe(readFileSync(OUTPUT_PATH, "utf8"));
  });
});

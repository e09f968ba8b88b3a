import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeBenchSection } from "./bench-readme.js";

describe("writeBenchSection", () => {
  const readme = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), "bench-readme-")), "README.md");
    writeFileSync(path, text);
    return path;
  };

  it("replaces what lies between the markers and keeps the rest", () => {
    const path = readme("intro\n<!-- bench:start -->\nold table\n<!-- bench:end -->\noutro\n");
    writeBenchSection(path, "| new | table |");
    expect(readFileSync(path, "utf8")).toBe(
      "intro\n<!-- bench:start -->\n| new | table |\n<!-- bench:end -->\noutro\n",
    );
  });

  it("refuses a README without the markers, naming it", () => {
    const path = readme("no markers here\n");
    expect(() => writeBenchSection(path, "x")).toThrow(/README\.md lacks the <!-- bench:start -->/);
    expect(readFileSync(path, "utf8")).toBe("no markers here\n");
  });
});

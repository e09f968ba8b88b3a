import { readFileSync, writeFileSync } from "node:fs";

const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

/**
 * Puts a benchmark's latest table between the `<!-- bench:start -->` and `<!-- bench:end -->` markers of a README,
 * so the figures a reader sees are the ones the last run wrote. Throws when the markers are missing.
 */
export function writeBenchSection(readmePath: string, text: string): void {
  const readme = readFileSync(readmePath, "utf8");
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${readmePath} lacks the ${START} ... ${END} markers`);
  writeFileSync(readmePath, `${readme.slice(0, from + START.length)}\n${text}\n${readme.slice(to)}`);
}

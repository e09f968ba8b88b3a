import { rmSync } from "node:fs";
import { onTestFailed, onTestFinished } from "vitest";

interface Tracked {
  label: string;
  cleanup: () => Promise<void>;
  /** Recent output, printed when the test that started it fails. */
  logs?: () => string;
}

const fileScoped: Tracked[] = [];

/**
 * Registers `item` for cleanup: at the end of the current test when called inside one (test body or beforeEach), else
 * at the end of the file (beforeAll). Also prints its recent output when the test fails, so a red e2e test shows why.
 */
export function track(item: Tracked): void {
  try {
    onTestFinished(() => item.cleanup());
    if (item.logs) {
      const logs = item.logs;
      onTestFailed(() => {
        process.stderr.write(`\n----- last output of ${item.label} -----\n${tail(logs(), 60)}\n`);
      });
    }
  } catch {
    fileScoped.push(item);
  }
}

/** Runs every file-scoped cleanup (the setup file calls it in afterAll). */
export async function cleanupFileScoped(): Promise<void> {
  const items = fileScoped.splice(0).reverse();
  for (const item of items) await item.cleanup();
}

/** Removes `dir` at the end of the current test (or file). */
export function trackDir(dir: string): void {
  track({ label: dir, cleanup: async () => rmSync(dir, { recursive: true, force: true }) });
}

function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}

import path from "node:path";
import { ensureOfflineModel } from "./ensure-offline-model.js";

const usage = "usage: pnpm -F @hybrid/offline-model build-model -- --cache-dir DIR";

function cacheDirArg(argv: string[]): string | undefined {
  const args = argv.filter((a) => a !== "--");
  for (let k = 0; k < args.length; k++) {
    const arg = args[k] ?? "";
    if (arg.startsWith("--cache-dir=")) return arg.slice("--cache-dir=".length);
    if (arg === "--cache-dir") return args[k + 1];
  }
  return undefined;
}

const cacheDir = cacheDirArg(process.argv.slice(2));
if (!cacheDir) {
  console.error(`missing --cache-dir\n${usage}`);
  process.exit(2);
}
// pnpm runs package scripts in the package directory; resolve relative paths from where the user ran pnpm.
const base = process.env.INIT_CWD ?? process.cwd();
const started = Date.now();
const model = await ensureOfflineModel({ cacheDir: path.resolve(base, cacheDir) });
console.log(JSON.stringify({ ...model, ms: Date.now() - started }, null, 2));

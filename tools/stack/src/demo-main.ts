import { runDemo } from "./demo.js";
import { parseStackArgs } from "./stack-env.js";
import { type RunningStack, startStack } from "./start-stack.js";

// `pnpm demo [--start]`: ingest data/demo/places.jsonl into collection "demo" and run a few searches, against the stack at
// PRODUCER_URL / QUERY_URL (default :8001 / :8000), or against one this command starts when `--start` is given or nothing answers.
const argv = process.argv.slice(2).filter((a) => a !== "--");
const forceStart = argv.includes("--start");
const { workers } = readArgs(argv.filter((a) => a !== "--start"));
const producerUrl = process.env.PRODUCER_URL ?? "http://127.0.0.1:8001";
const queryUrl = process.env.QUERY_URL ?? "http://127.0.0.1:8000";
const apiKey = process.env.DEMO_API_KEY;

let stack: RunningStack | undefined;
let code = 0;
try {
  const running = !forceStart && (await answers(producerUrl)) && (await answers(queryUrl));
  if (running) console.log(`[demo] using the stack at ${producerUrl} and ${queryUrl}`);
  else {
    console.log(forceStart ? "[demo] --start: starting a stack" : "[demo] no stack answers: starting one");
    stack = await startStack({
      workers,
      redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      qdrantUrl: process.env.QDRANT_URL,
      dataDir: process.env.STACK_DATA_DIR,
    });
  }
  await runDemo({
    producerUrl: stack?.producerUrl ?? producerUrl,
    queryUrl: stack?.queryUrl ?? queryUrl,
    apiKey,
  });
} catch (error) {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  code = 1;
} finally {
  await stack?.stop();
}
process.exit(code);

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

function readArgs(args: string[]) {
  try {
    return parseStackArgs(args);
  } catch (error) {
    console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

import { accessSync, constants, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { type ManagedProcess, type SpawnManagedOptions, spawnManaged } from "./managed-process.js";

/**
 * Sends PING (after AUTH when the URL carries credentials) to the Redis at `url` and resolves true on `+PONG`.
 * Plain RESP over a socket, so finding out whether Redis is there needs no client library and never retries forever.
 */
export function pingRedis(url: string, timeoutMs = 1000): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  if (parsed.protocol !== "redis:") return Promise.resolve(false);
  const commands: string[][] = [];
  const password = decodeURIComponent(parsed.password);
  if (password)
    commands.push(
      parsed.username ? ["AUTH", decodeURIComponent(parsed.username), password] : ["AUTH", password],
    );
  commands.push(["PING"]);
  const wire = commands.map(
    (args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`,
  );
  return new Promise((resolve) => {
    const socket = connect({ host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 6379) });
    let received = "";
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write(wire.join("")));
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (received.startsWith("-")) done(false);
      else if (received.includes("+PONG")) done(true);
    });
  });
}

/** Absolute path of `bin` in the directories of `pathVariable`, or undefined. */
export function findOnPath(bin: string, pathVariable = process.env.PATH ?? ""): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RedisProcessOptions {
  port: number;
  /** Data directory (created if missing). */
  dir: string;
  /** Append-only file on (fsync every second), as the stack and the reliability tests want. */
  appendonly?: boolean;
  bin?: string;
  name?: string;
  onLine?: SpawnManagedOptions["onLine"];
  color?: number;
  /** How long to wait for PONG. */
  readyTimeoutMs?: number;
}

/** Starts `redis-server` on 127.0.0.1:`port` with its data in `dir` and resolves once it answers PING. */
export async function startRedisProcess(
  options: RedisProcessOptions,
): Promise<{ url: string; process: ManagedProcess }> {
  mkdirSync(options.dir, { recursive: true });
  const args = [
    "--port",
    String(options.port),
    "--bind",
    "127.0.0.1",
    "--dir",
    options.dir,
    "--appendonly",
    options.appendonly === false ? "no" : "yes",
    "--appendfsync",
    "everysec",
    "--save",
    "",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
  ];
  const child = spawnManaged({
    name: options.name ?? "redis",
    command: options.bin ?? "redis-server",
    args,
    onLine: options.onLine,
    color: options.color,
  });
  const url = `redis://127.0.0.1:${options.port}`;
  await waitForPong(url, child, options.readyTimeoutMs ?? 15_000);
  return { url, process: child };
}

async function waitForPong(url: string, child: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.hasExited()) {
      const info = await child.exited;
      throw new Error(
        `${child.name} exited (code ${info.code}, signal ${info.signal}) before answering:\n${child.logs()}`,
      );
    }
    if (await pingRedis(url, 500)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await child.kill();
  throw new Error(`${child.name} did not answer PING at ${url} within ${timeoutMs} ms:\n${child.logs()}`);
}

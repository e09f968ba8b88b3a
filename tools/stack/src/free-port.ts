import { connect, createServer } from "node:net";

// Ports handed out by this process: the OS may offer a port again until whoever it went to binds it, and a test
// starting nine Redis nodes in a row was seen giving two of them the same one.
const handedOut = new Set<number>();

/**
 * A TCP port that was free on `host` a moment ago (the OS picks it), never one this process was handed before; there
 * is a small window in which another process may take it.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let tries = 0; ; tries++) {
    const port = await osFreePort(host);
    if (!handedOut.has(port) || tries >= 50) {
      handedOut.add(port);
      return port;
    }
  }
}

function osFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/** Whether something accepts TCP connections on `host:port` (answers within `timeoutMs`). */
export function isListening(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

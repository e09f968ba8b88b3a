import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback HTTP server for tests: serves `routes` (URL path to file) and counts requests; 404 for the rest. */
export interface StaticFileServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startStaticFileServer(routes: Record<string, string>): Promise<StaticFileServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push(path);
    const file = routes[path];
    if (!file) {
      res.writeHead(404).end("not found");
      return;
    }
    readFile(file).then(
      (body) => {
        // Package indexes (pip) read only pages served as HTML.
        const type = file.endsWith(".html") ? { "content-type": "text/html" } : {};
        res.writeHead(200, { "content-length": body.length, ...type }).end(body);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

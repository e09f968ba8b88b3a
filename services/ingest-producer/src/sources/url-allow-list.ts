import { BlockList, isIP } from "node:net";
import { AppError } from "@hybrid/service-kit";

/**
 * One `URL_ALLOW_HOSTS` entry: `[http://|https://]host[:port]`. No scheme means https; no port means the scheme's
 * default. `host` is a name, an IP (`[::1]` for IPv6), `*.example.org` (subdomains) or `*` (any host); `port` may
 * be `*`. Loopback, link-local and private addresses are reached only through an entry naming the host itself,
 * never through a wildcard.
 */
export interface AllowEntry {
  protocol: "http:" | "https:";
  host: string;
  port: number | "*";
}

const DEFAULT_PORT = { "http:": 80, "https:": 443 } as const;
const ENTRY = /^(?:(https?):\/\/)?(\*|\*\.[a-z0-9.-]+|\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}|\*))?\/?$/i;

/** Parses the entries; throws an Error naming the first bad one and the expected syntax. */
export function parseAllowList(entries: readonly string[]): AllowEntry[] {
  return entries.map((entry) => {
    const match = ENTRY.exec(entry.trim());
    const port = match?.[3];
    if (!match?.[2] || (port !== undefined && port !== "*" && Number(port) > 65_535)) {
      throw new Error(
        `URL_ALLOW_HOSTS entry "${entry}" is not [http://|https://]host[:port] (host may be *, *.domain or [ipv6]; port may be *)`,
      );
    }
    const protocol = match[1] ? (`${match[1].toLowerCase()}:` as "http:" | "https:") : "https:";
    return {
      protocol,
      host: match[2].toLowerCase(),
      port: port === "*" ? "*" : port ? Number(port) : DEFAULT_PORT[protocol],
    };
  });
}

/** How `url` is allowed: not at all, through a wildcard (public addresses only), or by an entry naming its host. */
export function matchAllowList(url: URL, entries: readonly AllowEntry[]): "no" | "public" | "explicit" {
  const protocol = url.protocol as AllowEntry["protocol"];
  const port = url.port ? Number(url.port) : DEFAULT_PORT[protocol];
  const host = url.hostname.toLowerCase();
  let found: "no" | "public" | "explicit" = "no";
  for (const entry of entries) {
    if (entry.protocol !== protocol || (entry.port !== "*" && entry.port !== port)) continue;
    if (entry.host === host) return "explicit";
    if (entry.host === "*" || (entry.host.startsWith("*.") && host.endsWith(entry.host.slice(1))))
      found = "public";
  }
  return found;
}

/** Throws BAD_REQUEST unless `url` (scheme, host and port) matches an entry. */
export function assertUrlAllowed(url: URL, entries: readonly AllowEntry[]): "public" | "explicit" {
  const how = url.protocol === "http:" || url.protocol === "https:" ? matchAllowList(url, entries) : "no";
  if (how === "no") {
    throw new AppError(
      "BAD_REQUEST",
      `${url.protocol}//${url.host} is not on the URL allow-list (URL_ALLOW_HOSTS entries match scheme, host and port)`,
      { details: { path: "source.url" } },
    );
  }
  if (how === "public" && isIP(bareHost(url)) && isPrivateAddress(bareHost(url)))
    throw privateAddress(url, bareHost(url));
  return how;
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const)
  PRIVATE.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  PRIVATE.addSubnet(net, prefix, "ipv6");

/** Loopback, link-local, private (RFC 1918, unique local, CGNAT), unspecified or multicast. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(?:([\d.]+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (mapped) {
    const v4 = mapped[1] ?? hexToIpv4(mapped[2] ?? "0", mapped[3] ?? "0");
    return PRIVATE.check(v4, "ipv4");
  }
  const family = isIP(address);
  return family === 0 ? true : PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

export function privateAddress(url: URL, address: string): AppError {
  return new AppError(
    "BAD_REQUEST",
    `${url.host} resolves to the private or loopback address ${address}: such addresses need a URL_ALLOW_HOSTS entry naming the host (e.g. ${url.protocol}//${url.host}), not a wildcard`,
    { details: { path: "source.url" } },
  );
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

function hexToIpv4(high: string, low: string): string {
  const h = Number.parseInt(high, 16);
  const l = Number.parseInt(low, 16);
  return [h >> 8, h & 255, l >> 8, l & 255].join(".");
}

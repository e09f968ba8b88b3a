/** A `host:port` of a Redis node or sentinel. */
export interface RedisNode {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * Where Redis is, read from `REDIS_URL`:
 * - `redis://` / `rediss://` — one server (`/db` picks the database);
 * - `redis+sentinel://[user:pass@]s1:26379,s2:26379/<master>[/db][?sentinelPassword=...]` — the master that
 *   Redis Sentinel names, followed across failovers (credentials are the master's);
 * - `redis+cluster://[user:pass@]n1:6379,n2:6379` — a Redis Cluster, reached through any of the seed nodes.
 * `rediss+...` turns TLS on.
 */
export type RedisTopology =
  | ({ mode: "standalone"; node: RedisNode; db: number } & Credentials)
  | ({
      mode: "sentinel";
      sentinels: RedisNode[];
      masterName: string;
      db: number;
      sentinelPassword?: string;
    } & Credentials)
  | ({ mode: "cluster"; nodes: RedisNode[] } & Credentials);

// URL() cannot hold several hosts, so the authority is split by hand.
const URL_PATTERN =
  /^(rediss?)(?:\+(sentinel|cluster))?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;

/** Parses a Redis URL (see `RedisTopology`); throws a `RangeError` naming what is wrong. */
export function parseRedisUrl(url: string): RedisTopology {
  const match = URL_PATTERN.exec(url);
  if (!match) {
    throw new RangeError(
      `Redis URL must look like redis://host:port, redis+sentinel://host:port,.../master or redis+cluster://host:port,...; got ${redact(url)}`,
    );
  }
  const [, scheme, mode, user, pass, hosts = "", path = "", query = ""] = match;
  const credentials: Credentials = {
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(pass ? { password: decodeURIComponent(pass) } : {}),
    tls: scheme === "rediss",
  };
  const nodes = hosts.split(",").map((h) => parseNode(h, mode === "sentinel" ? 26379 : 6379, url));
  const segments = path.split("/").filter((s) => s.length > 0);
  const params = new URLSearchParams(query);
  if (mode === "cluster") {
    if (segments.length > 0) throw new RangeError("a Redis Cluster has only database 0: drop the path");
    return { mode, nodes, ...credentials };
  }
  if (mode === "sentinel") {
    const [masterName, db] = segments;
    if (!masterName) throw new RangeError("redis+sentinel:// needs the master's name as its path: /mymaster");
    const sentinelPassword = params.get("sentinelPassword");
    return {
      mode,
      sentinels: nodes,
      masterName: decodeURIComponent(masterName),
      db: parseDb(db),
      ...(sentinelPassword ? { sentinelPassword } : {}),
      ...credentials,
    };
  }
  const [node] = nodes;
  if (!node || nodes.length > 1)
    throw new RangeError("redis:// takes one host; use redis+cluster:// or redis+sentinel:// for several");
  return { mode: "standalone", node, db: parseDb(segments[0]), ...credentials };
}

function parseNode(text: string, defaultPort: number, url: string): RedisNode {
  const match = /^([^:,\s]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/.exec(text);
  if (!match?.[1]) throw new RangeError(`bad host:port "${text}" in Redis URL ${redact(url)}`);
  const port = match[2] ? Number(match[2]) : defaultPort;
  if (port < 1 || port > 65_535) throw new RangeError(`port out of range in "${text}"`);
  return { host: match[1].replace(/^\[|\]$/g, ""), port };
}

function parseDb(text: string | undefined): number {
  if (text === undefined || text === "") return 0;
  const db = Number(text);
  if (!Number.isInteger(db) || db < 0)
    throw new RangeError(`Redis database must be a number ≥ 0, got "${text}"`);
  return db;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

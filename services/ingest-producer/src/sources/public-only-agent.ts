import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { Agent } from "undici";
import { isPrivateAddress, privateAddress } from "./url-allow-list.js";

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * An undici dispatcher whose connections resolve host names through a lookup that refuses private, loopback and
 * link-local addresses: the check happens on the very address connected to, so DNS cannot answer differently
 * between a check and the connection. One per fetch; it closes itself once idle connections time out.
 */
export function publicOnlyAgent(url: URL): Agent {
  const lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked) return callback(privateAddress(url, blocked.address), []);
      const [first] = addresses;
      if (options.all || !first) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
  return new Agent({ connect: { lookup }, keepAliveTimeout: 1000, keepAliveMaxTimeout: 1000 });
}

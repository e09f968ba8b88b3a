import { createHash } from "node:crypto";

/** Namespace of our point ids (a random v4 UUID fixed once): changing it would re-key every stored point. */
export const POINT_ID_NAMESPACE = "8c203bb8-8ca2-40ee-929f-23110a734a5a";

/**
 * The point id of one chunk of one row: UUIDv5 of `collection \0 rowId \0 chunk`, so a batch delivered twice
 * (at-least-once queues) overwrites its own points instead of adding new ones.
 */
export function pointId(collection: string, rowId: string, chunk: number): string {
  return uuidV5(`${collection}\u0000${rowId}\u0000${chunk}`, POINT_ID_NAMESPACE);
}

/** RFC 9562 version 5 UUID: SHA-1 over namespace bytes + name (UTF-8), version and variant bits set. */
export function uuidV5(name: string, namespace: string): string {
  const ns = parseUuid(namespace);
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseUuid(uuid: string): Buffer {
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new TypeError(`not a UUID: ${uuid}`);
  return Buffer.from(hex, "hex");
}

import { randomUUID } from "node:crypto";
import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { STATUS_BY_CODE } from "./http-status.js";

/**
 * Answers what Node's HTTP parser refuses before any handler runs, in the project's error shape. Node's own answer
 * to an over-long URL or header block is a bare `431` with an empty body, which tells the client nothing.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [
          STATUS_BY_CODE.HEADERS_TOO_LARGE,
          "HEADERS_TOO_LARGE",
          `the request URL and headers are larger than ${maxHeaderSize} bytes; send long input in a POST body`,
        ]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "TIMEOUT", "the request did not arrive in time"]
        : [400, "BAD_REQUEST", "malformed HTTP request"];
  const body = JSON.stringify({ error: { code, message, requestId: randomUUID() } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

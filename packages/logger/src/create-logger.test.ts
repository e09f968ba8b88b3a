import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./create-logger.js";

/** A stream a logger can write to, and all it was given so far. */
function captured(): { sink: Writable; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { sink, text: () => lines.join("") };
}

describe("createLogger", () => {
  it("builds a named logger at the asked level", () => {
    const logger = createLogger({ name: "test", level: "warn", pretty: false });
    expect(logger.level).toBe("warn");
    expect(logger.bindings()).toMatchObject({ name: "test" });
  });

  it("never writes the secrets a caller hands it", () => {
    const { sink, text } = captured();
    const logger = createLogger({ name: "t" }, sink);
    logger.info(
      {
        config: { qdrant: { apiKey: "k-123" }, http: { apiKeys: ["a-1"] } },
        headers: { authorization: "Bearer z" },
      },
      "config",
    );
    expect(text()).not.toMatch(/k-123|a-1|Bearer z/);
    expect(text()).toContain("[redacted]");
    expect(JSON.parse(text())).toMatchObject({ name: "t", msg: "config" });
  });

  it("hides credentials and query values of URLs in messages, fields and errors", () => {
    const { sink, text } = captured();
    const logger = createLogger({ name: "t" }, sink);
    const url = "https://me:pw-1@h.example/x.jsonl?token=tok-1";
    logger.warn({ url, err: new Error(`cannot fetch ${url}: refused`) }, `reading ${url}`);
    expect(text()).not.toMatch(/pw-1|tok-1/);
    expect(JSON.parse(text())).toMatchObject({
      url: "https://[redacted]@h.example/x.jsonl?token=[redacted]",
      msg: "reading https://[redacted]@h.example/x.jsonl?token=[redacted]",
      err: { message: "cannot fetch https://[redacted]@h.example/x.jsonl?token=[redacted]: refused" },
    });
  });
});

import { describe, expect, it } from "vitest";
import { redactUrl, redactUrlsIn } from "./redact-url.js";

describe("redactUrl", () => {
  it("hides credentials and query values, keeping the rest", () => {
    expect(redactUrl("https://me:s3cret@data.example.org:8443/x.jsonl?token=abc&page=2#top")).toBe(
      "https://[redacted]@data.example.org:8443/x.jsonl?token=[redacted]&page=[redacted]#top",
    );
    expect(redactUrl("http://h/plain.jsonl")).toBe("http://h/plain.jsonl");
  });

  it("cuts what it cannot parse rather than showing it", () => {
    expect(redactUrl("not a url?key=abc")).toBe("not a url?[redacted]");
  });

  it("finds URLs inside free text", () => {
    expect(redactUrlsIn('cannot fetch https://u:p@h/a?k=v: connect ECONNREFUSED; "http://x/y?z=1"')).toBe(
      'cannot fetch https://[redacted]@h/a?k=[redacted]: connect ECONNREFUSED; "http://x/y?z=[redacted]"',
    );
  });
});

describe("URLs with nothing to hide", () => {
  it("are left exactly as written (no slash added to a bare origin)", () => {
    expect(redactUrl("http://127.0.0.1:6333")).toBe("http://127.0.0.1:6333");
    expect(redactUrlsIn("ready at http://127.0.0.1:6333")).toBe("ready at http://127.0.0.1:6333");
    expect(redactUrl("http://h:1/a/b#x")).toBe("http://h:1/a/b#x");
  });
});

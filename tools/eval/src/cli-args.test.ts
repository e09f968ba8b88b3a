import { describe, expect, it } from "vitest";
import { parseEvalArgs, UsageError } from "./cli-args.js";

const parse = (...argv: string[]) =>
  parseEvalArgs(argv, "/work/here", "/repo", new Date("2026-11-22T23:30:00Z"));

describe("parseEvalArgs", () => {
  it("resolves paths from the caller's folder and defaults the rest", () => {
    const args = parse("--", "--dataset", "../shared/datasets/cranfield");
    expect(args.dataset).toBe("/work/shared/datasets/cranfield");
    expect(args.out).toBe("/repo/eval-out/cranfield");
    expect(args.collection).toMatch(/^eval-cranfield-20261122233000-[a-z0-9]{1,4}$/);
    expect(args).toMatchObject({ concurrency: 4, workers: 2, producerUrl: undefined, queryUrl: undefined });
  });

  it("takes URLs (trailing slash dropped), an output folder and a collection", () => {
    const args = parse(
      "--dataset=/d/scifact",
      "--out",
      "out",
      "--producer-url",
      "http://127.0.0.1:8001/",
      "--query-url",
      "http://127.0.0.1:8000",
      "--collection",
      "sf_1",
      "--concurrency",
      "8",
    );
    expect(args).toMatchObject({
      out: "/work/here/out",
      producerUrl: "http://127.0.0.1:8001",
      queryUrl: "http://127.0.0.1:8000",
      collection: "sf_1",
      concurrency: 8,
    });
  });

  it.each([
    [[], /--dataset is required/],
    [["--dataset", "d", "--producer-url", "http://x:1"], /both --producer-url and --query-url/],
    [
      ["--dataset", "d", "--producer-url", "x:1", "--query-url", "http://y"],
      /--producer-url x:1: not an http/,
    ],
    [["--dataset", "d", "--collection", "a/b"], /--collection a\/b: 1-128 letters/],
    [["--dataset", "d", "--concurrency", "0"], /--concurrency 0: a whole number/],
    [["--dataset", "d", "--bogus"], /Unknown option '--bogus'/],
  ])("rejects %j with a usage error", (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

import { describe, expect, it } from "vitest";
import { decimalInt } from "./query-fields.js";

describe("decimalInt", () => {
  const limit = decimalInt(1, 100).default(5);
  const message = (input: unknown) => limit.safeParse(input).error?.issues[0]?.message;

  it("reads decimal digits, with the default when absent", () => {
    expect(limit.parse("16")).toBe(16);
    expect(limit.parse(undefined)).toBe(5);
  });

  it("refuses hex, exponents, signs, spaces and fractions, saying what is expected", () => {
    for (const input of ["0x10", "1e1", "+3", " 16", "16.0", "", "-1", "0", "101"])
      expect(message(input), input).toBe("expected a decimal integer from 1 to 100");
  });

  it("says when the parameter was repeated", () => {
    expect(message(["1", "2"])).toBe("given more than once; give this parameter once");
  });
});

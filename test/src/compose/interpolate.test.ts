// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose interpolation syntax on purpose
import { describe, expect, it } from "vitest";
import { interpolate, interpolateString } from "./interpolate.js";

describe("compose interpolation", () => {
  const env = { SET: "x", EMPTY: "" };

  it("expands plain, braced and defaulted variables like compose", () => {
    expect(interpolateString("a-$SET-${SET}", env)).toBe("a-x-x");
    expect(interpolateString("${MISSING:-2}|${EMPTY:-2}|${EMPTY-2}|${MISSING-2}", env)).toBe("2|2||2");
    expect(interpolateString("${SET:+on}|${EMPTY:+on}|${EMPTY+on}", env)).toBe("on||on");
    expect(interpolateString("${MISSING:-${SET}}", env)).toBe("x");
    expect(interpolateString("cost $$5 ${MISSING}", env)).toBe("cost $5 ");
  });

  it("fails on a required variable, naming the path", () => {
    expect(() => interpolate({ a: { b: "${NEED:?set NEED}" } }, env)).toThrow(/a\.b: required variable NEED/);
    expect(() => interpolateString("${SET", env)).toThrow(/unclosed/);
  });

  it("walks nested objects and arrays, leaving non-strings alone", () => {
    expect(interpolate({ list: ["$SET", 3, true], nested: { n: "${MISSING:-1}" } }, env)).toEqual({
      list: ["x", 3, true],
      nested: { n: "1" },
    });
  });
});

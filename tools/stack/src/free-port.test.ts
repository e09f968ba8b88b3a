import { describe, expect, it } from "vitest";
import { freePort, isListening } from "./free-port.js";

describe("freePort", () => {
  it("hands out a port nothing listens on, and never the same one twice in a process", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 200; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    expect(await isListening(ports[0] ?? 0)).toBe(false);
  });
});

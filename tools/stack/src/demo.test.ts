import { describe, expect, it } from "vitest";
import { readDemoPlaces } from "./demo.js";

describe("the demo dataset", () => {
  const places = readDemoPlaces();

  it("has a few hundred valid records with unique ids", () => {
    expect(places.length).toBeGreaterThanOrEqual(250);
    expect(new Set(places.map((p) => p.id)).size).toBe(places.length);
  });

  it("is varied: many cities and kinds, short texts, plausible numbers", () => {
    expect(new Set(places.map((p) => p.city)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(places.map((p) => p.kind)).size).toBeGreaterThanOrEqual(20);
    for (const place of places) {
      expect(place.description.length).toBeLessThan(200);
      expect(place.founded).toBeLessThanOrEqual(2026);
    }
    expect(new Set(places.map((p) => p.description)).size).toBe(places.length);
  });
});

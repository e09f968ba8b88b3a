import { badRequest } from "./errors.js";
import { isPlainObject } from "./parse-points.js";

/** Geo helpers for filter conditions: points as {lon, lat} in degrees, distances in metres. */

export type GeoPoint = { lon: number; lat: number };

const EARTH_RADIUS_M = 6371008.8;

export function geoPoint(v: unknown): { lon: number; lat: number } | undefined {
  if (isPlainObject(v) && typeof v.lon === "number" && typeof v.lat === "number")
    return { lon: v.lon, lat: v.lat };
  return undefined;
}

export function readGeo(v: unknown, where: string): { lon: number; lat: number } {
  const p = geoPoint(v);
  if (!p || p.lon < -180 || p.lon > 180 || p.lat < -90 || p.lat > 90)
    throw badRequest(`Bad request: invalid geo point at ${where}`);
  return p;
}

export function haversine(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function inPolygon(
  p: { lon: number; lat: number },
  ring: Array<{ lon: number; lat: number }>,
): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as { lon: number; lat: number };
    const b = ring[j] as { lon: number; lat: number };
    if (
      a.lat > p.lat !== b.lat > p.lat &&
      p.lon < ((b.lon - a.lon) * (p.lat - a.lat)) / (b.lat - a.lat) + a.lon
    )
      inside = !inside;
  }
  return inside;
}

import { badRequest } from "./errors.js";
import { isJsonObject } from "./payload-path.js";
import type {
  GeoBoundingBox,
  GeoPoint,
  GeoPolygon,
  GeoRadius,
} from "./requests/qdrant-requests.generated.js";

/** Geo conditions of filters: points as {lon, lat} in degrees, distances in metres. */

const EARTH_RADIUS_M = 6371008.8;

/** A payload value as a geo point, if it is one. */
function geoPoint(v: unknown): GeoPoint | undefined {
  if (isJsonObject(v) && typeof v.lon === "number" && typeof v.lat === "number")
    return { lon: v.lon, lat: v.lat };
  return undefined;
}

function checkGeo(p: GeoPoint, where: string): GeoPoint {
  if (p.lon < -180 || p.lon > 180 || p.lat < -90 || p.lat > 90)
    throw badRequest(`Bad request: invalid geo point at ${where}`);
  return p;
}

function haversine(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function inPolygon(p: GeoPoint, ring: readonly GeoPoint[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (!a || !b) continue;
    if (
      a.lat > p.lat !== b.lat > p.lat &&
      p.lon < ((b.lon - a.lon) * (p.lat - a.lat)) / (b.lat - a.lat) + a.lon
    )
      inside = !inside;
  }
  return inside;
}

export function geoRadius(spec: GeoRadius, where: string): (value: unknown) => boolean {
  const center = checkGeo(spec.center, `${where}.center`);
  return (value) => {
    const p = geoPoint(value);
    return p !== undefined && haversine(center, p) <= spec.radius;
  };
}

export function geoBoundingBox(spec: GeoBoundingBox, where: string): (value: unknown) => boolean {
  const tl = checkGeo(spec.top_left, `${where}.top_left`);
  const br = checkGeo(spec.bottom_right, `${where}.bottom_right`);
  return (value) => {
    const p = geoPoint(value);
    if (!p || p.lat > tl.lat || p.lat < br.lat) return false;
    return tl.lon <= br.lon ? p.lon >= tl.lon && p.lon <= br.lon : p.lon >= tl.lon || p.lon <= br.lon;
  };
}

export function geoPolygon(spec: GeoPolygon, where: string): (value: unknown) => boolean {
  const exterior = spec.exterior.points.map((p, i) => checkGeo(p, `${where}.exterior.points[${i}]`));
  const interiors = (spec.interiors ?? []).map((ring, r) =>
    ring.points.map((p, i) => checkGeo(p, `${where}.interiors[${r}].points[${i}]`)),
  );
  return (value) => {
    const p = geoPoint(value);
    return p !== undefined && inPolygon(p, exterior) && !interiors.some((ring) => inPolygon(p, ring));
  };
}

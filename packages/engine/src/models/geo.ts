const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance by the haversine formula. */
export function greatCircleKm(latA: number, lonA: number, latB: number, lonB: number): number {
  const rad = Math.PI / 180;
  const dLat = (latB - latA) * rad;
  const dLon = (lonB - lonA) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(latA * rad) * Math.cos(latB * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** One-way delay of light in fibre (refractive index ≈ 1.468), per km. */
export const FIBRE_MS_PER_KM = 0.004897;

/**
 * One-way latency estimate: distance × fibre delay × route factor, floored at `minLatencyMs`.
 * Route factors calibrated on CAICT 2024-Q1 means: optical 1.82, IP private network 2.75, Internet 3.14.
 */
export function modelLatencyMs(km: number, routeFactor: number, minLatencyMs: number): number {
  return Math.max(minLatencyMs, km * FIBRE_MS_PER_KM * routeFactor);
}

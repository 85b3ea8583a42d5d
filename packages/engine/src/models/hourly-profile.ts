/**
 * A daily profile of 24 hourly values (local time), prepared for O(1) integrals over any span.
 * Used for time-of-use tariffs and hourly carbon intensity.
 */
export interface HourlyProfile {
  readonly values: readonly number[];
  readonly prefix: Float64Array;
  readonly utcOffsetH: number;
}

export function hourlyProfile(values: readonly number[], utcOffsetH: number): HourlyProfile {
  if (values.length !== 24) throw new Error(`an hourly profile needs 24 values, got ${values.length}`);
  const prefix = new Float64Array(25);
  for (let h = 0; h < 24; h++) prefix[h + 1] = (prefix[h] ?? 0) + (values[h] ?? 0);
  return { values, prefix, utcOffsetH };
}

/** Integral of the profile over local hours [a, b), for 0 ≤ a ≤ b measured from a local midnight. */
function integral(p: HourlyProfile, a: number, b: number): number {
  return cumulative(p, b) - cumulative(p, a);
}

function cumulative(p: HourlyProfile, localH: number): number {
  const days = Math.floor(localH / 24);
  const rest = localH - days * 24;
  const hour = Math.floor(rest);
  return days * (p.prefix[24] ?? 0) + (p.prefix[hour] ?? 0) + (rest - hour) * (p.values[hour] ?? 0);
}

/** Mean of the profile over [startS, endS); the value at startS when the span is empty. */
export function meanOver(p: HourlyProfile, startS: number, endS: number): number {
  if (endS <= startS) return valueAt(p, startS);
  // Measure hours from the local midnight before the start, so large epoch values lose no precision.
  const localStart = startS / 3600 + p.utcOffsetH;
  const midnight = Math.floor(localStart / 24) * 24;
  const a = localStart - midnight;
  const b = a + (endS - startS) / 3600;
  return integral(p, a, b) / (b - a);
}

/** The profile's value in the local hour that contains `atS`. */
export function valueAt(p: HourlyProfile, atS: number): number {
  const localH = atS / 3600 + p.utcOffsetH;
  const hour = Math.floor(localH - Math.floor(localH / 24) * 24);
  return p.values[hour] ?? 0;
}

/** Billing periods: calendar months in Beijing time (UTC+8), written `2026-11`. */

export const BILLING_UTC_OFFSET_H = 8;

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_S = 86_400;

/** Year and month (1..12) of a day counted from 1970-01-01 (proleptic Gregorian calendar). */
function civilFromDays(days: number): { readonly y: number; readonly m: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m };
}

/** Days from 1970-01-01 to the first of month `m` (1..12) of year `y`. */
function daysFromCivil(year: number, m: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5);
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/** The period that contains `atS`. */
export function periodOf(atS: number): string {
  const { y, m } = civilFromDays(Math.floor((atS + BILLING_UTC_OFFSET_H * 3600) / DAY_S));
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** The period's span [fromS, toS) in epoch seconds, or undefined when `period` is not `YYYY-MM`. */
export function periodSpan(period: string): { readonly fromS: number; readonly toS: number } | undefined {
  const match = PERIOD.exec(period);
  if (!match) return undefined;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const offset = BILLING_UTC_OFFSET_H * 3600;
  const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
  return { fromS: daysFromCivil(y, m) * DAY_S - offset, toS: daysFromCivil(next.y, next.m) * DAY_S - offset };
}

import { describe, expect, it } from 'vitest';
import { hourlyProfile, meanOver, valueAt } from './hourly-profile.ts';

// Hour h of the local day costs h + 1, so means are easy to check by hand.
const rising = hourlyProfile(
  Array.from({ length: 24 }, (_, h) => h + 1),
  8,
);
const midnightLocal = 16 * 3600; // 1970-01-01 16:00 UTC is 00:00 at UTC+8

describe('hourly profile', () => {
  it('gives the value of the local hour', () => {
    expect(valueAt(rising, midnightLocal)).toBe(1);
    expect(valueAt(rising, midnightLocal + 5.5 * 3600)).toBe(6);
    expect(valueAt(rising, midnightLocal - 1)).toBe(24);
  });

  it('averages over whole and partial hours', () => {
    expect(meanOver(rising, midnightLocal, midnightLocal + 2 * 3600)).toBeCloseTo(1.5);
    expect(meanOver(rising, midnightLocal + 1800, midnightLocal + 3600 + 1800)).toBeCloseTo(1.5);
  });

  it('wraps across midnight and over many days', () => {
    // 23:00 to 01:00: hours worth 24 and 1.
    expect(meanOver(rising, midnightLocal - 3600, midnightLocal + 3600)).toBeCloseTo(12.5);
    // Ten whole days average to the daily mean, 12.5.
    expect(meanOver(rising, midnightLocal + 7 * 3600, midnightLocal + 7 * 3600 + 10 * 86400)).toBeCloseTo(12.5);
  });

  it('refuses a profile without 24 values', () => {
    expect(() => hourlyProfile([1, 2, 3], 8)).toThrow(/24 values/);
  });
});

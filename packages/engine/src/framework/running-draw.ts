import type { Allocation } from '../domain/snapshot.ts';
import { idlePowerKw } from '../models/energy.ts';
import { cappedItPowerKw } from '../models/power-curve.ts';
import type { PreparedPool } from './prepared-network.ts';

/** What a running allocation holds and draws over time: until when, and how much power over idle. */

type Drawing = Pick<Allocation, 'kind' | 'count' | 'powerCapW' | 'gridCapW' | 'capUntilS'>;

/** When an allocation starts to draw power over idle: once its data is staged. */
export function drawStartS(a: Pick<Allocation, 'startS' | 'drawFromS'>): number {
  return a.drawFromS ?? a.startS;
}

/**
 * Facility power a running allocation adds over its accelerators' idle draw at `atS` (under its
 * power cap while that holds; without `atS`, as it runs now).
 */
export function allocationKw(pool: PreparedPool, a: Drawing, atS = Number.NEGATIVE_INFINITY): number {
  const gridCapped = a.gridCapW !== undefined && a.capUntilS !== undefined && atS < a.capUntilS;
  return (
    (cappedItPowerKw(pool.spec, a.kind, a.count, gridCapped ? a.gridCapW : a.powerCapW) -
      idlePowerKw(pool.spec, a.count)) *
    pool.site.site.pue
  );
}

/** Facility power (kW) one idle accelerator of a pool draws: what powering it down saves. */
export function idleKwEach(pool: PreparedPool): number {
  return idlePowerKw(pool.spec, 1) * pool.site.site.pue;
}

/**
 * What an allocation adds over [fromS, toS), as steps: one, or two when a grid event's cap lifts
 * in between. Calls `step(from, to, kw)` for each.
 */
export function drawSteps(
  pool: PreparedPool,
  a: Drawing,
  fromS: number,
  toS: number,
  step: (from: number, to: number, kw: number) => void,
): void {
  const until = a.capUntilS;
  if (a.gridCapW === undefined || until === undefined || until <= fromS || until >= toS) {
    const kw = allocationKw(pool, a, fromS);
    if (kw !== 0) step(fromS, toS, kw);
    return;
  }
  step(fromS, until, allocationKw(pool, a, fromS));
  step(until, toS, allocationKw(pool, a, until));
}

/** A running job past its expected end is assumed to run on at least this long. */
export const OVERRUN_MIN_S = 600;

/**
 * When a running allocation is expected to end. One already past its estimate is still running:
 * it is assumed to run on as long again as it has overrun, and at least OVERRUN_MIN_S, so its
 * accelerators are not promised to anyone as if they were free.
 */
export function expectedEndS(a: Pick<Allocation, 'endS'>, nowS: number): number {
  return a.endS > nowS ? a.endS : nowS + Math.max(OVERRUN_MIN_S, nowS - a.endS);
}

import type { Allocation } from '../domain/snapshot.ts';
import { levelBudgetKwAt, type PowerLevel } from '../framework/power-levels.ts';
import type { PreparedNetwork } from '../framework/prepared-network.ts';
import { allocationKw, drawStartS } from '../framework/running-draw.ts';
import { valueAt } from '../models/hourly-profile.ts';

/** One site at one instant. */
export interface SiteGauge {
  readonly siteId: string;
  readonly accelerators: number;
  /** Accelerators of jobs that have started (a job shifted to a later hour holds but does not run yet). */
  readonly busy: number;
  readonly running: number;
  /** Facility power drawn: the idle floor of all accelerators plus what running jobs add, × PUE. */
  readonly powerKw: number;
  readonly powerCapKw: number;
  /** Accelerator-hours of the busy accelerators at their pools' prices, plus the power at this hour's tariff. */
  readonly costFenPerHour: number;
  /** The power at this hour's location-based grid intensity. */
  readonly carbonKgPerHour: number;
  /** The part of the power covered by the site's contracted green supply. */
  readonly greenKw: number;
}

/** The whole network at one instant: what the wall display heads with and the history keeps. */
export interface NetworkGauge {
  readonly atS: number;
  readonly accelerators: number;
  readonly busy: number;
  readonly queued: number;
  readonly running: number;
  readonly powerKw: number;
  readonly powerCapKw: number;
  readonly costFenPerHour: number;
  readonly carbonKgPerHour: number;
  readonly greenKw: number;
  readonly sites: readonly SiteGauge[];
}

/**
 * What the network draws, costs and emits at `atS`, from the allocations a ledger holds: the one
 * place where the live service's history and the simulator's power series are measured. Pure.
 */
export function gauge(
  net: PreparedNetwork,
  allocations: readonly Allocation[],
  queued: number,
  atS: number,
): NetworkGauge {
  const n = net.sites.length;
  const busy = new Float64Array(n);
  const running = new Float64Array(n);
  const addKw = new Float64Array(n);
  const computeFen = new Float64Array(n);
  for (const a of allocations) {
    if (a.startS > atS) continue;
    const pool = net.poolById.get(a.poolId);
    if (!pool) continue;
    const i = pool.site.index;
    busy[i] = (busy[i] ?? 0) + a.count;
    running[i] = (running[i] ?? 0) + 1;
    // Staging its data, it holds its accelerators but draws nothing over idle yet.
    if (drawStartS(a) <= atS) addKw[i] = (addKw[i] ?? 0) + allocationKw(pool, a, atS);
    computeFen[i] = (computeFen[i] ?? 0) + a.count * pool.pool.priceCnyPerAcceleratorHour * 100;
  }
  const sites = net.sites.map((s, i): SiteGauge => {
    const powerKw = s.idleKw + (addKw[i] ?? 0);
    return {
      siteId: s.site.id,
      accelerators: s.site.pools.reduce((k, p) => k + p.count, 0),
      busy: busy[i] ?? 0,
      running: running[i] ?? 0,
      powerKw,
      powerCapKw: levelBudgetKwAt(s.levels[0] as PowerLevel, undefined, atS),
      costFenPerHour: (computeFen[i] ?? 0) + powerKw * valueAt(s.tariff, atS) * 100,
      carbonKgPerHour: powerKw * valueAt(s.carbon, atS),
      greenKw: powerKw * s.site.greenShare,
    };
  });
  const sum = (f: (g: SiteGauge) => number) => sites.reduce((k, g) => k + f(g), 0);
  return {
    atS,
    accelerators: sum((g) => g.accelerators),
    busy: sum((g) => g.busy),
    queued,
    running: sum((g) => g.running),
    powerKw: sum((g) => g.powerKw),
    powerCapKw: sum((g) => g.powerCapKw),
    costFenPerHour: sum((g) => g.costFenPerHour),
    carbonKgPerHour: sum((g) => g.carbonKgPerHour),
    greenKw: sum((g) => g.greenKw),
    sites,
  };
}

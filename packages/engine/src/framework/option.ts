import type { AcceleratorOption, Job } from '../domain/job.ts';
import type { CarbonSignal, Estimate, ObjectiveScores, SiteVerdict } from '../domain/placement.ts';
import { idlePowerKw, itPowerKw } from '../models/energy.ts';
import { meanOver } from '../models/hourly-profile.ts';
import type { Cycle } from './cycle.ts';
import type { PreparedPool, PreparedSite } from './prepared-network.ts';

/** Staging of a job's input data at one site: the fastest replica of each dataset. */
export interface Staging {
  readonly transferS: number;
  readonly transferGb: number;
  readonly transferCostCny: number;
}

/** Computes the staging of `job`'s datasets at `site` (data gravity). */
export function stagingAt(cycle: Cycle, job: Job, site: PreparedSite): Staging {
  let transferS = 0;
  let transferGb = 0;
  let transferCostCny = 0;
  for (const d of job.datasets) {
    if (d.replicas.includes(site.site.id)) continue;
    let bestS = Number.POSITIVE_INFINITY;
    let bestCost = 0;
    for (const r of d.replicas) {
      const from = cycle.net.siteById.get(r);
      if (!from) continue;
      const link = cycle.net.link(from, site);
      const s = (d.sizeGb * 8) / link.bandwidthGbps + link.latencyMs / 1000;
      if (s < bestS) {
        bestS = s;
        bestCost = d.sizeGb * link.priceCnyPerGb;
      }
    }
    if (!Number.isFinite(bestS)) continue;
    transferS += bestS;
    transferGb += d.sizeGb;
    transferCostCny += bestCost;
  }
  return { transferS, transferGb, transferCostCny };
}

/**
 * One way to run a job: a pool, the accelerator choice it matches, and a start time. `earliestS`
 * is the earliest the pool (and the site's power) allows after data staging; `startS` is later
 * than that only for a flexible job shifted to cheaper or greener hours.
 */
export class Option {
  readonly site: PreparedSite;
  readonly pool: PreparedPool;
  readonly choice: AcceleratorOption;
  readonly count: number;
  readonly durationS: number;
  /** Facility power the run adds over the accelerators' idle draw: what the site's cap must allow. */
  readonly incrementKw: number;
  readonly staging: Staging;
  readonly earliestS: number;
  readonly startS: number;
  /** What made `earliestS` later than the data being ready. */
  readonly boundBy: 'none' | 'capacity' | 'power';
  private readonly cycle: Cycle;
  private readonly job: Job;
  private readonly signal: CarbonSignal;
  private cached: Estimate | undefined;

  constructor(
    cycle: Cycle,
    job: Job,
    pool: PreparedPool,
    choice: AcceleratorOption,
    durationS: number,
    staging: Staging,
    earliest: { startS: number; boundBy: 'none' | 'capacity' | 'power' },
    startS: number,
    signal: CarbonSignal,
  ) {
    this.cycle = cycle;
    this.job = job;
    this.site = pool.site;
    this.pool = pool;
    this.choice = choice;
    this.count = choice.perMember * job.gang;
    this.durationS = durationS;
    this.incrementKw =
      (itPowerKw(pool.spec, job.kind, this.count) - idlePowerKw(pool.spec, this.count)) * pool.site.site.pue;
    this.staging = staging;
    this.earliestS = earliest.startS;
    this.boundBy = earliest.boundBy;
    this.startS = startS;
    this.signal = signal;
  }

  /** The same pool and choice, starting later. */
  at(startS: number): Option {
    return new Option(
      this.cycle,
      this.job,
      this.pool,
      this.choice,
      this.durationS,
      this.staging,
      { startS: this.earliestS, boundBy: this.boundBy },
      startS,
      this.signal,
    );
  }

  /** Cost, energy, carbon and timing; computed once, on first use. */
  estimate(): Estimate {
    this.cached ??= this.compute();
    return this.cached;
  }

  private compute(): Estimate {
    const site = this.site;
    const s = site.site;
    const startS = this.startS;
    const endS = startS + this.durationS;
    const readyS = this.cycle.nowS + this.staging.transferS;
    const powerKw = itPowerKw(this.pool.spec, this.job.kind, this.count) * s.pue;
    const energyKwh = powerKw * (this.durationS / 3600);
    const energyCostCny = energyKwh * meanOver(site.tariff, startS, endS);
    const computeCostCny = this.count * (this.durationS / 3600) * this.pool.pool.priceCnyPerAcceleratorHour;
    const gridKg = energyKwh * meanOver(site.carbon, startS, endS);
    const carbonKg = this.signal === 'market-based' ? gridKg * (1 - s.greenShare) : gridKg;
    return {
      startS,
      endS,
      durationS: this.durationS,
      waitS: Math.max(0, this.earliestS - readyS),
      transferS: this.staging.transferS,
      transferGb: this.staging.transferGb,
      shiftS: startS - this.earliestS,
      powerKw,
      energyKwh,
      computeCostCny,
      energyCostCny,
      transferCostCny: this.staging.transferCostCny,
      costCny: computeCostCny + energyCostCny + this.staging.transferCostCny,
      carbonKg,
      carbonSignal: this.signal,
    };
  }
}

/** A feasible option with its normalised scores. */
export interface ScoredOption {
  readonly option: Option;
  readonly scores: ObjectiveScores;
  readonly total: number;
}

export interface JobEvaluation {
  /** A pre-filter's rejection of the whole job, if any. */
  readonly rejected?: {
    readonly plugin: string;
    readonly code: 'unschedulable' | 'unresolvable' | 'error';
    readonly reason: string;
  };
  /** All feasible options, best first. */
  readonly options: readonly ScoredOption[];
  /** The best option of each feasible site, best site first. */
  readonly ranked: readonly ScoredOption[];
  /** One verdict per site: ranked sites first, then filtered sites by id. */
  readonly verdicts: readonly SiteVerdict[];
}

import type { AcceleratorOption, Job } from '../domain/job.ts';
import type { CarbonSignal, Estimate, ObjectiveScores, SiteVerdict, StagedTransfer } from '../domain/placement.ts';
import { meanOver } from '../models/hourly-profile.ts';
import type { BoundBy, Cycle } from './cycle.ts';
import type { PreparedPool, PreparedSite } from './prepared-network.ts';

/** Staging of a job's input data at one site: the fastest replica of each dataset. */
export interface Staging {
  readonly transferS: number;
  readonly transferGb: number;
  readonly transferCostCny: number;
  /**
   * Why the data cannot be staged there now: a data set whose every replica is at a site out of
   * service or behind a cut link (then `transferS` is Infinity).
   */
  readonly unreachable?: string;
}

const NO_STAGING: Staging = { transferS: 0, transferGb: 0, transferCostCny: 0 };

/** What an accelerator-hour of `pool` costs `job`: its market price (spot, contract), or the list price. */
export function priceAt(job: Job, pool: PreparedPool): number {
  return job.market?.poolPrices[pool.pool.id] ?? pool.pool.priceCnyPerAcceleratorHour;
}

/** The fastest replica of data set `d` that `site` can read now, or why none can be read. */
function fastestReplica(
  cycle: Cycle,
  d: Job['datasets'][number],
  site: PreparedSite,
): { readonly from: PreparedSite; readonly s: number; readonly costCny: number } | { readonly blocked?: string } {
  let best: { from: PreparedSite; s: number; costCny: number } | undefined;
  let blocked: string | undefined;
  for (const r of d.replicas) {
    const from = cycle.net.siteById.get(r);
    if (!from) continue;
    if (cycle.outageOf(from)) {
      blocked ??= `${r} is out of service`;
      continue;
    }
    if (cycle.linkCut(from, site)) {
      blocked ??= `the link ${r}–${site.site.id} is cut`;
      continue;
    }
    const link = cycle.net.link(from, site);
    const s = (d.sizeGb * 8) / link.bandwidthGbps + link.latencyMs / 1000;
    if (!best || s < best.s) best = { from, s, costCny: d.sizeGb * link.priceCnyPerGb };
  }
  return best ?? (blocked === undefined ? {} : { blocked });
}

/**
 * Computes the staging of `job`'s datasets at `site` (data gravity): each from its fastest replica
 * that can be read now (its site in service, the link between them not cut).
 */
export function stagingAt(cycle: Cycle, job: Job, site: PreparedSite): Staging {
  if (job.datasets.length === 0) return NO_STAGING;
  let transferS = 0;
  let transferGb = 0;
  let transferCostCny = 0;
  for (const d of job.datasets) {
    if (d.replicas.includes(site.site.id)) continue;
    const r = fastestReplica(cycle, d, site);
    if (!('from' in r)) {
      if (r.blocked === undefined) continue;
      return {
        transferS: Number.POSITIVE_INFINITY,
        transferGb: 0,
        transferCostCny: 0,
        unreachable: `data set ${d.name} cannot be read from here: ${r.blocked}`,
      };
    }
    transferS += r.s;
    transferGb += d.sizeGb;
    transferCostCny += r.costCny;
  }
  return { transferS, transferGb, transferCostCny };
}

/** Where each data set staged at `site` comes from (the replicas `stagingAt` chose): what metering bills per link. */
export function stagedFrom(cycle: Cycle, job: Job, site: PreparedSite): StagedTransfer[] {
  const out: StagedTransfer[] = [];
  for (const d of job.datasets) {
    if (d.replicas.includes(site.site.id)) continue;
    const r = fastestReplica(cycle, d, site);
    if ('from' in r) out.push({ fromSiteId: r.from.site.id, gb: d.sizeGb });
  }
  return out;
}

/**
 * One way to run a job: a pool, the accelerator choice it matches, and a start time. `earliestS`
 * is the earliest the pool (and the site's power) allows after data staging; `startS` is later
 * than that only for a flexible job shifted to cheaper or greener hours.
 *
 * Plug-ins read options and must neither change them nor keep them after the call: the runner
 * reuses one object for every candidate it filters (the hot path allocates nothing per option)
 * and builds lasting ones only for the options it keeps. Cost and carbon are plain numbers
 * computed on first use; the full `Estimate` object is built only for explanations.
 */
export class Option {
  site!: PreparedSite;
  pool!: PreparedPool;
  choice!: AcceleratorOption;
  count = 0;
  durationS = 0;
  /** Facility power the run adds over the accelerators' idle draw: what the site's cap must allow. */
  incrementKw = 0;
  /** Facility power while running (IT at the job kind's activity × PUE). */
  powerKw = 0;
  staging!: Staging;
  earliestS = 0;
  startS = 0;
  /** What made `earliestS` later than the data being ready. */
  boundBy: BoundBy = 'none';
  private readonly cycle: Cycle;
  private readonly job: Job;
  private readonly signal: CarbonSignal;
  private computed = false;
  private energyKwh = 0;
  private energyCost = 0;
  private carbon = 0;
  private cost = 0;
  private cached: Estimate | undefined;

  constructor(cycle: Cycle, job: Job, signal: CarbonSignal) {
    this.cycle = cycle;
    this.job = job;
    this.signal = signal;
  }

  /** Points the option at another candidate (the runner's reused cursor). */
  set(
    pool: PreparedPool,
    choice: AcceleratorOption,
    count: number,
    durationS: number,
    incrementKw: number,
    powerKw: number,
    staging: Staging,
    earliestS: number,
    boundBy: BoundBy,
    startS: number,
  ): this {
    this.site = pool.site;
    this.pool = pool;
    this.choice = choice;
    this.count = count;
    this.durationS = durationS;
    this.incrementKw = incrementKw;
    this.powerKw = powerKw;
    this.staging = staging;
    this.earliestS = earliestS;
    this.boundBy = boundBy;
    this.startS = startS;
    this.computed = false;
    this.cached = undefined;
    return this;
  }

  /** A lasting copy of this option, starting at `startS`. */
  at(startS: number): Option {
    return new Option(this.cycle, this.job, this.signal).set(
      this.pool,
      this.choice,
      this.count,
      this.durationS,
      this.incrementKw,
      this.powerKw,
      this.staging,
      this.earliestS,
      this.boundBy,
      startS,
    );
  }

  /** Accelerator-hours at the pool price + energy at the tariff of the run's hours + transfer. */
  get costCny(): number {
    if (!this.computed) this.compute();
    return this.cost;
  }

  /** Emissions by the profile's carbon signal over the run's hours. */
  get carbonKg(): number {
    if (!this.computed) this.compute();
    return this.carbon;
  }

  /** Whether the job can start on this option now (no wait beyond staging, no shift). */
  get startsNow(): boolean {
    return this.startS <= this.cycle.nowS + this.staging.transferS;
  }

  /** The data this option stages, per source site (empty when it needs none). */
  transfers(): StagedTransfer[] {
    return this.staging.transferGb > 0 ? stagedFrom(this.cycle, this.job, this.site) : [];
  }

  /** Cost, energy, carbon and timing, as one object; built once, on first use. */
  estimate(): Estimate {
    this.cached ??= this.build();
    return this.cached;
  }

  private compute(): void {
    const endS = this.startS + this.durationS;
    this.energyKwh = this.powerKw * (this.durationS / 3600);
    this.energyCost = this.energyKwh * meanOver(this.site.tariff, this.startS, endS);
    const gridKg = this.energyKwh * meanOver(this.site.carbon, this.startS, endS);
    this.carbon = this.signal === 'market-based' ? gridKg * (1 - this.site.site.greenShare) : gridKg;
    this.cost =
      this.count * (this.durationS / 3600) * priceAt(this.job, this.pool) +
      this.energyCost +
      this.staging.transferCostCny;
    this.computed = true;
  }

  private build(): Estimate {
    const costCny = this.costCny;
    const readyS = this.cycle.nowS + this.staging.transferS;
    return {
      startS: this.startS,
      endS: this.startS + this.durationS,
      durationS: this.durationS,
      waitS: Math.max(0, this.earliestS - readyS),
      transferS: this.staging.transferS,
      transferGb: this.staging.transferGb,
      shiftS: this.startS - this.earliestS,
      powerKw: this.powerKw,
      energyKwh: this.energyKwh,
      computeCostCny: costCny - this.energyCost - this.staging.transferCostCny,
      energyCostCny: this.energyCost,
      transferCostCny: this.staging.transferCostCny,
      costCny,
      carbonKg: this.carbon,
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
  /** The best option of each feasible site, best site first (the best five only, when brief). */
  readonly ranked: readonly ScoredOption[];
  /** How many sites have a feasible option. */
  readonly feasibleSites: number;
  /** How many feasible options there were, of every site and start. */
  readonly feasible: number;
  /** The weighted total (0..100) of each feasible option, by index (only when kept). */
  readonly totals: Float64Array;
  /** A lasting copy of feasible option `i`, for the batch optimizer (only when kept). */
  option(i: number): Option;
  /** One verdict per site: ranked sites first, then filtered sites in network order (none when explanations are off). */
  readonly verdicts: readonly SiteVerdict[];
  /** Indices of the sites with a feasible option or only an unschedulable (not permanent) rejection. */
  readonly candidateSites: readonly number[];
  /** True when no site could ever run the job as specified. */
  readonly unresolvable: boolean;
}

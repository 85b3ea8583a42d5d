import type { AcceleratorOption, Job } from '../domain/job.ts';
import type { Estimate } from '../domain/placement.ts';
import { facilityEnergyKwh } from '../models/energy.ts';
import { meanOver } from '../models/hourly-profile.ts';
import type { Cycle } from './cycle.ts';
import type { PreparedPool, PreparedSite } from './prepared-network.ts';

/** One way to run a job: a pool, the accelerator option it matches, and the device count. */
export class Candidate {
  readonly site: PreparedSite;
  readonly pool: PreparedPool;
  readonly option: AcceleratorOption;
  readonly count: number;
  private readonly cycle: Cycle;
  private readonly job: Job;
  private cached: Estimate | undefined;

  constructor(cycle: Cycle, job: Job, pool: PreparedPool, option: AcceleratorOption) {
    this.cycle = cycle;
    this.job = job;
    this.site = pool.site;
    this.pool = pool;
    this.option = option;
    this.count = option.perMember * job.gang;
  }

  /** Cost, energy, carbon and timing of this candidate; computed once, on first use. */
  estimate(): Estimate {
    this.cached ??= estimateCandidate(this.cycle, this.job, this);
    return this.cached;
  }
}

function estimateCandidate(cycle: Cycle, job: Job, c: Candidate): Estimate {
  const site = c.site.site;
  const durationS = job.durationS;
  const waitS = cycle.waitFor(c.pool, c.count);

  let transferS = 0;
  let transferGb = 0;
  let transferCostCny = 0;
  for (const d of job.datasets) {
    if (d.replicas.includes(site.id)) continue;
    let bestS = Number.POSITIVE_INFINITY;
    let bestCost = 0;
    for (const r of d.replicas) {
      const from = cycle.net.siteById.get(r);
      if (!from) continue;
      const link = cycle.net.link(from, c.site);
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

  const startS = cycle.nowS + Math.max(waitS, transferS);
  const endS = startS + durationS;
  const energyKwh = facilityEnergyKwh(c.pool.spec, job.kind, c.count, durationS, site.pue);
  const energyCostCny = energyKwh * meanOver(c.site.tariff, startS, endS);
  const computeCostCny = c.count * (durationS / 3600) * c.pool.pool.priceCnyPerAcceleratorHour;
  return {
    startS,
    endS,
    durationS,
    waitS,
    transferS,
    transferGb,
    energyKwh,
    computeCostCny,
    energyCostCny,
    transferCostCny,
    costCny: computeCostCny + energyCostCny + transferCostCny,
    carbonKg: energyKwh * site.gridCarbonKgPerKwh,
    carbonSignal: 'grid-average',
  };
}

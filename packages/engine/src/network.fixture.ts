import type { AcceleratorSpec } from './domain/accelerator.ts';
import type { Job } from './domain/job.ts';
import type { Network } from './domain/network.ts';
import type { ClusterQueue } from './domain/queue.ts';
import type { Pool, Site } from './domain/site.ts';
import type { Allocation, Snapshot } from './domain/snapshot.ts';
import { Cycle } from './framework/cycle.ts';
import { Option, stagingAt } from './framework/option.ts';
import { idlePowerKw, itPowerKw } from './models/energy.ts';
import { durationOnS } from './models/equivalence.ts';

export const H100: AcceleratorSpec = {
  type: 'H100',
  vendor: 'NVIDIA',
  name: 'H100',
  tdpW: 700,
  bf16DenseTflops: 989,
  memoryGb: 80,
  stack: 'cuda',
};
export const A100: AcceleratorSpec = { ...H100, type: 'A100', name: 'A100', tdpW: 400, bf16DenseTflops: 312 };

export function flat(price: number): number[] {
  return new Array<number>(24).fill(price);
}

export function site(
  id: string,
  overrides: Partial<Omit<Site, 'pools'>> & { pools?: Omit<Pool, 'siteId'>[] } = {},
): Site {
  const { pools, ...rest } = overrides;
  return {
    id,
    name: id,
    province: 'Test',
    kind: 'cluster',
    jurisdiction: 'cn-mainland',
    lat: 30,
    lon: 110,
    utcOffsetH: 8,
    pue: 1.2,
    powerCapMw: 10,
    tariffCnyPerKwh: flat(0.5),
    gridCarbonKgPerKwh: 0.5,
    greenShare: 0,
    ...rest,
    pools: (
      pools ?? [{ id: `${id}-h100`, accelerator: 'H100', count: 64, priceCnyPerAcceleratorHour: 10, backend: 'sim' }]
    ).map((p) => ({ ...p, siteId: id })),
  };
}

/**
 * Three sites: `west` is cheap and dirty, `hydro` is dear-ish and clean, `east` is dear and holds
 * A100 as well as H100.
 */
export function testNetwork(): Network {
  return {
    name: 'test',
    accelerators: [H100, A100],
    sites: [
      site('west', { lat: 40.4, lon: 111.8, gridCarbonKgPerKwh: 0.68, tariffCnyPerKwh: flat(0.4) }),
      site('hydro', {
        lat: 30.6,
        lon: 104.1,
        gridCarbonKgPerKwh: 0.14,
        tariffCnyPerKwh: flat(0.5),
        pools: [{ id: 'hydro-h100', accelerator: 'H100', count: 32, priceCnyPerAcceleratorHour: 12, backend: 'sim' }],
      }),
      site('east', {
        lat: 31.2,
        lon: 121.5,
        pue: 1.35,
        gridCarbonKgPerKwh: 0.58,
        tariffCnyPerKwh: flat(0.75),
        pools: [
          { id: 'east-h100', accelerator: 'H100', count: 16, priceCnyPerAcceleratorHour: 18, backend: 'sim' },
          { id: 'east-a100', accelerator: 'A100', count: 16, priceCnyPerAcceleratorHour: 9, backend: 'sim' },
        ],
      }),
    ],
    links: [],
    linkModel: { routeFactor: 2.75, minLatencyMs: 1, bandwidthGbps: 100, priceCnyPerGb: 0.05 },
    datasets: [],
    tenants: [],
    clusterQueues: [],
    priorityClasses: { high: 100, normal: 0, low: -100 },
  };
}

export function job(id: string, overrides: Partial<Job> = {}): Job {
  return {
    id,
    name: id,
    tenant: 't',
    kind: 'train',
    options: [{ accelerator: 'H100', perMember: 8 }],
    gang: 1,
    durationS: 3600,
    datasets: [],
    objective: { cost: 1, carbon: 1, time: 1 },
    priority: 0,
    preemptible: true,
    submittedAtS: 0,
    ...overrides,
  };
}

/** 2026-11-23 00:00 UTC. */
export const T0 = 1_795_392_000;

/** An allocation of a running job, for snapshots. */
export function running(jobId: string, poolId: string, count: number, over: Partial<Allocation> = {}): Allocation {
  return {
    jobId,
    tenant: 't',
    kind: 'train',
    poolId,
    accelerator: poolId.endsWith('a100') ? 'A100' : 'H100',
    count,
    startS: T0 - 600,
    endS: T0 + 3600,
    priority: 0,
    preemptible: true,
    ...over,
  };
}

/** A cycle over a snapshot, for plug-in tests. */
export function cycleOf(snapshot: Partial<Snapshot> = {}, nowS = T0): Cycle {
  return new Cycle({ network: testNetwork(), allocations: [], queue: [], ...snapshot }, nowS);
}

/** The earliest option of `j` on a pool (or a later start), as the runner builds it. */
export function optionOf(cycle: Cycle, j: Job, poolId: string, startS?: number): Option {
  const pool = cycle.net.poolById.get(poolId);
  if (!pool) throw new Error(`no pool ${poolId}`);
  const choice = j.options.find((o) => o.accelerator === pool.pool.accelerator) ?? j.options[0];
  if (!choice) throw new Error('job has no options');
  const count = choice.perMember * j.gang;
  const durationS = durationOnS(j, choice, (t) => cycle.net.accelerators.get(t));
  const kw = (itPowerKw(pool.spec, j.kind, count) - idlePowerKw(pool.spec, count)) * pool.site.site.pue;
  const staging = stagingAt(cycle, j, pool.site);
  const fits = count <= pool.pool.count;
  const earliestS = fits
    ? cycle.earliestStart(pool, count, durationS, kw, cycle.nowS + staging.transferS)
    : Number.POSITIVE_INFINITY;
  const boundBy = fits ? cycle.boundBy : 'capacity';
  const itKw = itPowerKw(pool.spec, j.kind, count) * pool.site.site.pue;
  return new Option(cycle, j, 'location-based').set(
    pool,
    choice,
    count,
    durationS,
    kw,
    itKw,
    staging,
    earliestS,
    boundBy,
    startS ?? earliestS,
  );
}

/**
 * The test network with two cluster queues in one cohort: `research` (tenant r) and `industry`
 * (tenant i), 32 H100 nominal each, preempting lower priorities and reclaiming borrowed quota.
 */
export function queuedNetwork(over: { research?: Partial<ClusterQueue['quotas'][number]> } = {}): Network {
  const policy = { withinClusterQueue: 'LowerPriority', reclaimWithinCohort: 'Any' } as const;
  return {
    ...testNetwork(),
    tenants: [
      { id: 'r', name: 'Research', sector: 'research', shareWeight: 1, clusterQueue: 'research' },
      { id: 'i', name: 'Industry', sector: 'manufacturing', shareWeight: 1, clusterQueue: 'industry' },
      { id: 'free', name: 'No queue', sector: 'internet', shareWeight: 1 },
    ],
    clusterQueues: [
      {
        name: 'research',
        cohort: 'national',
        quotas: [{ flavour: 'H100', nominal: 32, ...over.research }],
        preemption: policy,
      },
      { name: 'industry', cohort: 'national', quotas: [{ flavour: 'H100', nominal: 32 }], preemption: policy },
    ],
  };
}

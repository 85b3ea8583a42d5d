import type { AcceleratorSpec } from './domain/accelerator.ts';
import type { Job } from './domain/job.ts';
import type { Network } from './domain/network.ts';
import type { Pool, Site } from './domain/site.ts';

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
    submittedAtS: 0,
    ...overrides,
  };
}

/** 2026-11-23 00:00 UTC. */
export const T0 = 1_795_392_000;

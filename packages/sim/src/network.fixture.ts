import type { AcceleratorSpec, Job, Network, Pool, Site } from '@suanli/engine';
import type { SimJob } from './sim-job.ts';

export const A100: AcceleratorSpec = {
  type: 'A100',
  vendor: 'NVIDIA',
  name: 'A100',
  tdpW: 400,
  bf16DenseTflops: 312,
  memoryGb: 80,
  stack: 'cuda',
};
export const H100: AcceleratorSpec = { ...A100, type: 'H100', name: 'H100', tdpW: 700, bf16DenseTflops: 989 };

export function site(id: string, pools: readonly Omit<Pool, 'siteId' | 'backend'>[], over: Partial<Site> = {}): Site {
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
    powerCapMw: 50,
    tariffCnyPerKwh: new Array<number>(24).fill(0.5),
    gridCarbonKgPerKwh: 0.5,
    greenShare: 0,
    ...over,
    pools: pools.map((p) => ({ ...p, siteId: id, backend: 'sim' })),
  };
}

/** One site with one pool of `count` A100: the single cluster of policy studies. */
export function oneCluster(count: number): Network {
  return network([site('one', [{ id: 'one-a100', accelerator: 'A100', count, priceCnyPerAcceleratorHour: 7 }])]);
}

/** An east demand centre (small, dear) and a west cluster (big, cheap), with H100 and A100. */
export function eastWest(): Network {
  return network(
    [
      site(
        'east',
        [
          { id: 'east-h100', accelerator: 'H100', count: 16, priceCnyPerAcceleratorHour: 18 },
          { id: 'east-a100', accelerator: 'A100', count: 16, priceCnyPerAcceleratorHour: 9 },
        ],
        {
          kind: 'demand-centre',
          side: 'east',
          lat: 31.2,
          lon: 121.5,
          tariffCnyPerKwh: new Array<number>(24).fill(0.8),
        },
      ),
      site('west', [{ id: 'west-h100', accelerator: 'H100', count: 64, priceCnyPerAcceleratorHour: 11 }], {
        side: 'west',
        lat: 38.5,
        lon: 106.3,
        tariffCnyPerKwh: new Array<number>(24).fill(0.4),
        gridCarbonKgPerKwh: 0.7,
      }),
    ],
    [
      { id: 'lab', name: 'Lab', sector: 'research', shareWeight: 1 },
      { id: 'bank', name: 'Bank', sector: 'finance', shareWeight: 1 },
    ],
  );
}

function network(sites: Site[], tenants: Network['tenants'] = []): Network {
  return {
    name: 'fixture',
    accelerators: [A100, H100],
    sites,
    links: [],
    linkModel: { routeFactor: 2.75, minLatencyMs: 1, bandwidthGbps: 100, priceCnyPerGb: 0.05 },
    datasets: [],
    tenants,
    clusterQueues: [],
    priorityClasses: {},
  };
}

/** A simulated job; `durationS` is its true run time. */
export function simJob(id: string, over: Partial<Job> = {}, user = 'u'): SimJob {
  const job: Job = {
    id,
    name: id,
    tenant: 'lab',
    kind: 'train',
    options: [{ accelerator: 'A100', perMember: 1 }],
    gang: 1,
    durationS: 3600,
    datasets: [],
    objective: { cost: 1, carbon: 1, time: 1 },
    priority: 0,
    preemptible: true,
    submittedAtS: 0,
    ...over,
  };
  return { job, sector: 'research', user };
}

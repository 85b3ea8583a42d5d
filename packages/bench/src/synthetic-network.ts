import type { AcceleratorSpec, Network, Pool, Rng, Site } from '@suanli/engine';

const TYPES: readonly AcceleratorSpec[] = [
  { type: 'H100', vendor: 'NVIDIA', name: 'H100', tdpW: 700, bf16DenseTflops: 989, memoryGb: 80, stack: 'cuda' },
  { type: 'H800', vendor: 'NVIDIA', name: 'H800', tdpW: 700, bf16DenseTflops: 989, memoryGb: 80, stack: 'cuda' },
  { type: 'A100', vendor: 'NVIDIA', name: 'A100', tdpW: 400, bf16DenseTflops: 312, memoryGb: 80, stack: 'cuda' },
  { type: 'H20', vendor: 'NVIDIA', name: 'H20', tdpW: 400, bf16DenseTflops: 148, memoryGb: 96, stack: 'cuda' },
  {
    type: 'Ascend910B',
    vendor: 'Huawei',
    name: 'Ascend 910B',
    tdpW: 350,
    bf16DenseTflops: 320,
    memoryGb: 64,
    stack: 'cann',
  },
];
const BASE_PRICE: Readonly<Record<string, number>> = { H100: 12, H800: 11, A100: 6, H20: 4.2, Ascend910B: 4.5 };

export interface SyntheticNetworkSpec {
  readonly sites: number;
  readonly poolsPerSite: number;
  readonly poolSize: readonly [number, number];
}

/**
 * A network of the given shape with China-like spread: sites scattered over the country's box,
 * west cheaper and dirtier or hydro-clean, time-of-use tariffs and synthetic solar dips. Pools cycle
 * through the accelerator types, so every site holds several. Deterministic for a seed.
 */
export function syntheticNetwork(spec: SyntheticNetworkSpec, rng: Rng): Network {
  const sites: Site[] = [];
  for (let s = 0; s < spec.sites; s++) {
    const id = `s${String(s).padStart(4, '0')}`;
    const lon = 98 + rng.next() * 24;
    const west = lon < 110;
    const flat = west ? 0.35 + rng.next() * 0.1 : 0.55 + rng.next() * 0.2;
    const tariff = Array.from(
      { length: 24 },
      (_, h) => flat * (h < 7 || h >= 23 ? 0.5 : (h >= 8 && h < 11) || (h >= 17 && h < 22) ? 1.5 : 1),
    );
    const grid = rng.next() < 0.15 ? 0.12 + rng.next() * 0.1 : 0.45 + rng.next() * 0.3;
    const dip = west ? rng.next() * 0.35 : 0;
    const carbon = Array.from({ length: 24 }, (_, h) => {
      const x = h + 0.5;
      const sun = x > 6 && x < 18 ? Math.sin((Math.PI * (x - 6)) / 12) : 0;
      return grid * (1 + dip * (0.318 - sun));
    });
    const pools: Pool[] = [];
    for (let p = 0; p < spec.poolsPerSite; p++) {
      const type = TYPES[(s + p) % TYPES.length] ?? TYPES[0];
      if (!type) continue;
      const [lo, hi] = spec.poolSize;
      pools.push({
        id: `${id}-p${p}`,
        siteId: id,
        accelerator: type.type,
        count: Math.round((lo + rng.next() * (hi - lo)) / 8) * 8,
        priceCnyPerAcceleratorHour: (BASE_PRICE[type.type] ?? 5) * (west ? 0.9 : 1.2) * (0.9 + rng.next() * 0.2),
        backend: 'sim',
      });
    }
    const pue = west ? 1.2 : 1.25 + rng.next() * 0.15;
    const maxKw =
      pools.reduce(
        (k, p) => k + (p.count * (TYPES.find((t) => t.type === p.accelerator)?.tdpW ?? 500) * 1.35) / 1000,
        0,
      ) * pue;
    sites.push({
      id,
      name: `Site ${s}`,
      province: west ? 'West' : 'East',
      kind: 'cluster',
      jurisdiction: 'cn-mainland',
      lat: 20 + rng.next() * 22,
      lon,
      utcOffsetH: 8,
      pue,
      powerCapMw: (maxKw * 1.05) / 1000,
      tariffCnyPerKwh: tariff,
      gridCarbonKgPerKwh: grid,
      carbonKgPerKwhByHour: carbon,
      greenShare: west ? rng.next() * 0.5 : rng.next() * 0.1,
      pools,
    });
  }
  return {
    name: `synthetic-${spec.sites}x${spec.poolsPerSite}`,
    accelerators: TYPES,
    sites,
    links: [],
    linkModel: { routeFactor: 2.75, minLatencyMs: 1, bandwidthGbps: 100, priceCnyPerGb: 0.05 },
    datasets: [],
    tenants: [],
    clusterQueues: [],
    priorityClasses: {},
  };
}

import type { Network, Pool, PowerBudget, Programme, Sector, Site } from '@suanli/engine';

/** Sites a change applies to: one id, or every site. */
export type SiteSelector = string | '*';

/** One what-if change to a network: what planners ask ("and if we built 4,096 more H20 in Qingyang?"). */
export type NetworkChange =
  | {
      readonly kind: 'add-capacity';
      readonly site: string;
      readonly accelerator: string;
      readonly count: number;
      /** Price of a new pool; an existing pool of the type keeps its own. */
      readonly priceCnyPerAcceleratorHour?: number;
    }
  | {
      readonly kind: 'remove-capacity';
      readonly site: string;
      /** Only this type; every pool of the site when absent. */
      readonly accelerator?: string;
      /** Only this many; all of them when absent. */
      readonly count?: number;
    }
  | {
      readonly kind: 'tariff';
      readonly site: SiteSelector;
      /** Multiply every hour's price, or set a flat price. */
      readonly factor?: number;
      readonly flatCnyPerKwh?: number;
    }
  | {
      readonly kind: 'carbon';
      readonly site: SiteSelector;
      readonly factor?: number;
      readonly gridCarbonKgPerKwh?: number;
      readonly greenShare?: number;
    }
  | { readonly kind: 'power-cap'; readonly site: SiteSelector; readonly powerCapMw: number }
  | {
      /** Accelerators come in nodes of this size (gang members are packed within nodes). */
      readonly kind: 'node-size';
      readonly site: SiteSelector;
      /** Only this type's pools; every pool of the sites when absent. */
      readonly accelerator?: string;
      readonly nodeSize: number;
    }
  | { readonly kind: 'sector-weights'; readonly weights: Readonly<Partial<Record<Sector, number>>> }
  /** A sector programme (AI+): its sectors' share boost, and vouchers paid from its budget. */
  | { readonly kind: 'programme'; readonly programme: Programme }
  | {
      /**
       * One level's power budget (a grid region, a site or every site, a pool's hall) scaled by
       * `scalePct` (every hour's and window's kW; a site without a budget of its own: its
       * `powerCapMw`) or replaced by `budget`. The wet season ends: Sichuan's budget halves.
       */
      readonly kind: 'power-budget';
      readonly region?: string;
      readonly site?: SiteSelector;
      readonly pool?: string;
      readonly scalePct?: number;
      readonly budget?: PowerBudget;
    };

/** A change that does not fit the network: it names what is wrong, with the change's index. */
export class WhatIfError extends Error {
  readonly index: number;

  constructor(index: number, message: string) {
    super(message);
    this.name = 'WhatIfError';
    this.index = index;
  }
}

/**
 * The network with the changes applied in order. Pure: the input is not touched. Every change
 * must name things the network has (a site, a type with a catalog entry); otherwise it fails.
 */
export function applyChanges(network: Network, changes: readonly NetworkChange[]): Network {
  let net = network;
  changes.forEach((change, index) => {
    net = applyOne(net, change, index);
  });
  return net;
}

function applyOne(net: Network, c: NetworkChange, index: number): Network {
  const fail = (message: string) => new WhatIfError(index, message);
  const siteIds = new Set(net.sites.map((s) => s.id));
  const pick = (selector: SiteSelector): ((s: Site) => boolean) => {
    if (selector === '*') return () => true;
    if (!siteIds.has(selector)) throw fail(`unknown site ${selector} (known: ${[...siteIds].sort().join(', ')})`);
    return (s) => s.id === selector;
  };
  const mapSites = (selector: SiteSelector, f: (s: Site) => Site): Network => {
    const chosen = pick(selector);
    return { ...net, sites: net.sites.map((s) => (chosen(s) ? f(s) : s)) };
  };
  switch (c.kind) {
    case 'add-capacity': {
      if (!net.accelerators.some((a) => a.type === c.accelerator)) {
        throw fail(`unknown accelerator type ${c.accelerator}: it needs a catalog entry in the network`);
      }
      if (!(c.count > 0) || !Number.isInteger(c.count)) throw fail('count must be a whole number > 0');
      return mapSites(c.site, (s) => {
        const existing = s.pools.find((p) => p.accelerator === c.accelerator);
        if (existing) {
          return { ...s, pools: s.pools.map((p) => (p === existing ? { ...p, count: p.count + c.count } : p)) };
        }
        const price = c.priceCnyPerAcceleratorHour ?? typicalPrice(net, c.accelerator);
        const pool: Pool = {
          id: `${s.id}-${c.accelerator.toLowerCase()}`,
          siteId: s.id,
          accelerator: c.accelerator,
          count: c.count,
          priceCnyPerAcceleratorHour: price,
          backend: s.pools[0]?.backend ?? 'sim',
        };
        return { ...s, pools: [...s.pools, pool] };
      });
    }
    case 'remove-capacity':
      return mapSites(c.site, (s) => {
        const hit = (p: Pool) => c.accelerator === undefined || p.accelerator === c.accelerator;
        if (!s.pools.some(hit))
          throw fail(`site ${s.id} has no ${c.accelerator ?? ''} pool to remove`.replace('  ', ' '));
        if (c.count === undefined) return { ...s, pools: s.pools.filter((p) => !hit(p)) };
        let left = c.count;
        const pools = s.pools
          .map((p) => {
            if (!hit(p) || left <= 0) return p;
            const take = Math.min(left, p.count);
            left -= take;
            return { ...p, count: p.count - take };
          })
          .filter((p) => p.count > 0);
        return { ...s, pools };
      });
    case 'tariff':
      if (c.factor === undefined && c.flatCnyPerKwh === undefined) throw fail('give factor or flatCnyPerKwh');
      return mapSites(c.site, (s) => ({
        ...s,
        tariffCnyPerKwh:
          c.flatCnyPerKwh !== undefined
            ? new Array<number>(24).fill(c.flatCnyPerKwh)
            : s.tariffCnyPerKwh.map((p) => p * (c.factor ?? 1)),
      }));
    case 'carbon':
      if (c.factor === undefined && c.gridCarbonKgPerKwh === undefined && c.greenShare === undefined) {
        throw fail('give factor, gridCarbonKgPerKwh or greenShare');
      }
      return mapSites(c.site, (s) => {
        const scale =
          c.gridCarbonKgPerKwh !== undefined
            ? s.gridCarbonKgPerKwh > 0
              ? c.gridCarbonKgPerKwh / s.gridCarbonKgPerKwh
              : 1
            : (c.factor ?? 1);
        const grid = c.gridCarbonKgPerKwh ?? s.gridCarbonKgPerKwh * scale;
        const { carbonKgPerKwhByHour: hours, ...rest } = s;
        return {
          ...rest,
          gridCarbonKgPerKwh: grid,
          ...(hours ? { carbonKgPerKwhByHour: hours.map((h) => h * scale) } : {}),
          greenShare: c.greenShare ?? s.greenShare,
        };
      });
    case 'power-cap':
      if (!(c.powerCapMw > 0)) throw fail('powerCapMw must be > 0');
      return mapSites(c.site, (s) => ({ ...s, powerCapMw: c.powerCapMw }));
    case 'node-size': {
      if (!(c.nodeSize >= 1) || !Number.isInteger(c.nodeSize)) throw fail('nodeSize must be a whole number ≥ 1');
      const hit = (p: Pool) => c.accelerator === undefined || p.accelerator === c.accelerator;
      if (!net.sites.some((s) => s.pools.some(hit))) {
        throw fail(`no site has a ${c.accelerator ?? ''} pool`.replace('  ', ' '));
      }
      return mapSites(c.site, (s) => {
        if (c.site !== '*' && !s.pools.some(hit)) {
          throw fail(`site ${s.id} has no ${c.accelerator ?? ''} pool`.replace('  ', ' '));
        }
        return { ...s, pools: s.pools.map((p) => (hit(p) ? { ...p, nodeSize: c.nodeSize } : p)) };
      });
    }
    case 'programme': {
      const sectors = new Set(net.tenants.map((t) => t.sector));
      if (!c.programme.sectors.some((s) => sectors.has(s))) {
        throw fail(`no tenant of the network is in sectors ${c.programme.sectors.join(', ')}`);
      }
      if ((net.programmes ?? []).some((p) => p.id === c.programme.id))
        throw fail(`programme ${c.programme.id} exists already`);
      return { ...net, programmes: [...(net.programmes ?? []), c.programme] };
    }
    case 'power-budget':
      return powerBudgetChanged(net, c, fail);
    case 'sector-weights': {
      const sectors = new Set(net.tenants.map((t) => t.sector));
      for (const [sector, w] of Object.entries(c.weights)) {
        if (!sectors.has(sector as Sector)) throw fail(`no tenant of the network is in sector ${sector}`);
        if (!(typeof w === 'number' && w > 0)) throw fail(`the weight of ${sector} must be > 0`);
      }
      return {
        ...net,
        tenants: net.tenants.map((t) => {
          const w = c.weights[t.sector];
          return w === undefined ? t : { ...t, shareWeight: t.shareWeight * w };
        }),
      };
    }
  }
}

/** A budget with every hour's and every window's kW times `k` (its seasons and base load as they are). */
export function scaledBudget(b: PowerBudget, k: number): PowerBudget {
  return {
    ...b,
    kwByHour: b.kwByHour.map((kw) => kw * k),
    ...(b.schedule ? { schedule: b.schedule.map((w) => ({ ...w, kw: w.kw * k })) } : {}),
  };
}

/** The network with one level's budget scaled or replaced (the `power-budget` change). */
function powerBudgetChanged(
  net: Network,
  c: Extract<NetworkChange, { kind: 'power-budget' }>,
  fail: (message: string) => WhatIfError,
): Network {
  const levels = [c.region, c.site, c.pool].filter((x) => x !== undefined).length;
  if (levels !== 1) throw fail('give region, site or pool, one of them');
  if ((c.scalePct === undefined) === (c.budget === undefined)) throw fail('give scalePct or budget, one of them');
  if (c.scalePct !== undefined && !(c.scalePct > 0 && c.scalePct <= 1000)) {
    throw fail('scalePct must be > 0 and at most 1000');
  }
  const k = (c.scalePct ?? 100) / 100;
  const scaled = (b: PowerBudget): PowerBudget => scaledBudget(b, k);
  const next = (b: PowerBudget | undefined): PowerBudget | undefined => c.budget ?? (b && scaled(b));
  if (c.region !== undefined) {
    const regions = net.regions ?? [];
    if (!regions.some((r) => r.id === c.region)) {
      const known = regions.length > 0 ? `known: ${regions.map((r) => r.id).join(', ')}` : 'the network has none';
      throw fail(`unknown region ${c.region} (${known})`);
    }
    return {
      ...net,
      regions: regions.map((r) => (r.id === c.region ? { ...r, budget: next(r.budget) ?? r.budget } : r)),
    };
  }
  if (c.site !== undefined) {
    const site = c.site;
    if (site !== '*' && !net.sites.some((s) => s.id === site)) {
      throw fail(`unknown site ${site} (known: ${net.sites.map((s) => s.id).join(', ')})`);
    }
    return {
      ...net,
      sites: net.sites.map((s) => {
        if (site !== '*' && s.id !== site) return s;
        if (c.budget !== undefined) return { ...s, powerBudget: c.budget };
        // A site without a budget of its own draws its flat cap at every hour: that is scaled.
        return s.powerBudget ? { ...s, powerBudget: scaled(s.powerBudget) } : { ...s, powerCapMw: s.powerCapMw * k };
      }),
    };
  }
  const poolId = c.pool as string;
  const site = net.sites.find((s) => s.pools.some((p) => p.id === poolId));
  const pool = site?.pools.find((p) => p.id === poolId);
  if (!site || !pool) {
    const known = net.sites.flatMap((s) => s.pools.map((p) => p.id));
    throw fail(`unknown pool ${poolId} (known: ${known.join(', ')})`);
  }
  const budget = next(pool.powerBudget);
  if (!budget) throw fail(`pool ${poolId} has no budget of its own to scale: give budget`);
  return {
    ...net,
    sites: net.sites.map((s) =>
      s === site ? { ...s, pools: s.pools.map((p) => (p === pool ? { ...p, powerBudget: budget } : p)) } : s,
    ),
  };
}

/** The mean price of a type's pools in the network; 10 CNY per hour if none has it. */
function typicalPrice(net: Network, accelerator: string): number {
  const prices = net.sites.flatMap((s) =>
    s.pools.filter((p) => p.accelerator === accelerator).map((p) => p.priceCnyPerAcceleratorHour),
  );
  return prices.length > 0 ? prices.reduce((a, b) => a + b, 0) / prices.length : 10;
}

/** A network scaled to about `accelerators` over at least `sites` sites: each site split into copies, pools scaled. */
export function scaleNetwork(
  network: Network,
  target: { readonly sites: number; readonly accelerators: number },
): Network {
  const base = network.sites;
  const copies = Math.max(1, Math.ceil(target.sites / Math.max(1, base.length)));
  const total = base.reduce((n, s) => n + s.pools.reduce((m, p) => m + p.count, 0), 0);
  const factor = target.accelerators / Math.max(1, total * copies);
  const sites: Site[] = [];
  for (const s of base) {
    for (let k = 0; k < copies; k++) {
      const id = copies === 1 ? s.id : `${s.id}-${k + 1}`;
      // Copies spread about 30 km apart, so that they are distinct but near.
      const lat = s.lat + (k % 4) * 0.25;
      const lon = s.lon + Math.floor(k / 4) * 0.25;
      sites.push({
        ...s,
        id,
        name: copies === 1 ? s.name : `${s.name} ${k + 1}`,
        lat,
        lon,
        powerCapMw: s.powerCapMw * factor,
        ...(s.powerBudget ? { powerBudget: scaledBudget(s.powerBudget, factor) } : {}),
        pools: s.pools.map((p) => ({
          ...p,
          ...(p.powerBudget ? { powerBudget: scaledBudget(p.powerBudget, factor) } : {}),
          id: copies === 1 ? p.id : `${p.id}-${k + 1}`,
          siteId: id,
          count: Math.max(8, Math.round((p.count * factor) / 8) * 8),
        })),
      });
    }
  }
  const renamed = (ids: readonly string[]) =>
    ids.flatMap((r) => (copies === 1 ? [r] : Array.from({ length: copies }, (_, k) => `${r}-${k + 1}`)));
  return {
    ...network,
    name: `${network.name}-x${copies}`,
    sites,
    links: [],
    // A region's budget covers its sites' copies, each scaled as they are.
    ...(network.regions
      ? { regions: network.regions.map((r) => ({ ...r, budget: scaledBudget(r.budget, factor * copies) })) }
      : {}),
    datasets: network.datasets.map((d) => ({ ...d, replicas: renamed(d.replicas) })),
    clusterQueues: network.clusterQueues.map((q) => ({
      ...q,
      quotas: q.quotas.map((f) => ({
        ...f,
        nominal: Math.round(f.nominal * factor * copies),
        ...(f.borrowingLimit !== undefined ? { borrowingLimit: Math.round(f.borrowingLimit * factor * copies) } : {}),
        ...(f.lendingLimit !== undefined ? { lendingLimit: Math.round(f.lendingLimit * factor * copies) } : {}),
      })),
    })),
  };
}

import type { AcceleratorSpec } from '../domain/accelerator.ts';
import type { Network } from '../domain/network.ts';
import type { Pool, Site } from '../domain/site.ts';
import { greatCircleKm, modelLatencyMs } from '../models/geo.ts';
import { type HourlyProfile, hourlyProfile } from '../models/hourly-profile.ts';

export interface PreparedSite {
  readonly site: Site;
  readonly index: number;
  readonly tariff: HourlyProfile;
}

export interface PreparedPool {
  readonly pool: Pool;
  readonly site: PreparedSite;
  readonly spec: AcceleratorSpec;
  readonly index: number;
}

export interface LinkFigures {
  readonly latencyMs: number;
  readonly bandwidthGbps: number;
  readonly priceCnyPerGb: number;
}

/** A network indexed for fast lookups in the decision loop. Built once per network object. */
export interface PreparedNetwork {
  readonly network: Network;
  readonly sites: readonly PreparedSite[];
  readonly pools: readonly PreparedPool[];
  readonly siteById: ReadonlyMap<string, PreparedSite>;
  readonly poolById: ReadonlyMap<string, PreparedPool>;
  readonly accelerators: ReadonlyMap<string, AcceleratorSpec>;
  /** Pools of each accelerator type, in network order. */
  readonly poolsByType: ReadonlyMap<string, readonly PreparedPool[]>;
  readonly largestPoolByType: ReadonlyMap<string, number>;
  link(a: PreparedSite, b: PreparedSite): LinkFigures;
}

const cache = new WeakMap<Network, PreparedNetwork>();

/** Index a network; the same network object always gives the same prepared value. */
export function prepareNetwork(network: Network): PreparedNetwork {
  const hit = cache.get(network);
  if (hit) return hit;
  const prepared = build(network);
  cache.set(network, prepared);
  return prepared;
}

function build(network: Network): PreparedNetwork {
  const accelerators = new Map(network.accelerators.map((a) => [a.type, a]));
  const sites: PreparedSite[] = [];
  const pools: PreparedPool[] = [];
  const siteById = new Map<string, PreparedSite>();
  const poolById = new Map<string, PreparedPool>();
  const poolsByType = new Map<string, PreparedPool[]>();
  const largestPoolByType = new Map<string, number>();
  for (const site of network.sites) {
    const ps: PreparedSite = {
      site,
      index: sites.length,
      tariff: hourlyProfile(site.tariffCnyPerKwh, site.utcOffsetH),
    };
    sites.push(ps);
    siteById.set(site.id, ps);
    for (const pool of site.pools) {
      const spec = accelerators.get(pool.accelerator);
      if (!spec) throw new Error(`pool ${pool.id}: unknown accelerator type ${pool.accelerator}`);
      const pp: PreparedPool = { pool, site: ps, spec, index: pools.length };
      pools.push(pp);
      poolById.set(pool.id, pp);
      const list = poolsByType.get(pool.accelerator);
      if (list) list.push(pp);
      else poolsByType.set(pool.accelerator, [pp]);
      largestPoolByType.set(pool.accelerator, Math.max(largestPoolByType.get(pool.accelerator) ?? 0, pool.count));
    }
  }

  const n = sites.length;
  const explicit = new Map<string, LinkFigures>();
  for (const l of network.links) {
    const a = siteById.get(l.a);
    const b = siteById.get(l.b);
    if (!a || !b) throw new Error(`link ${l.a}–${l.b}: unknown site`);
    const figures = {
      latencyMs: l.latencyMs,
      bandwidthGbps: l.bandwidthGbps,
      priceCnyPerGb: l.priceCnyPerGb,
    };
    explicit.set(`${a.index}:${b.index}`, figures);
    explicit.set(`${b.index}:${a.index}`, figures);
  }
  const links = new Map<number, LinkFigures>();
  const model = network.linkModel;
  const local: LinkFigures = { latencyMs: 0, bandwidthGbps: Number.POSITIVE_INFINITY, priceCnyPerGb: 0 };

  return {
    network,
    sites,
    pools,
    siteById,
    poolById,
    accelerators,
    poolsByType,
    largestPoolByType,
    link(a, b) {
      if (a.index === b.index) return local;
      const key = a.index * n + b.index;
      const hit = links.get(key);
      if (hit) return hit;
      const figures = explicit.get(`${a.index}:${b.index}`) ?? {
        latencyMs: modelLatencyMs(
          greatCircleKm(a.site.lat, a.site.lon, b.site.lat, b.site.lon),
          model.routeFactor,
          model.minLatencyMs,
        ),
        bandwidthGbps: model.bandwidthGbps,
        priceCnyPerGb: model.priceCnyPerGb,
      };
      links.set(key, figures);
      return figures;
    },
  };
}

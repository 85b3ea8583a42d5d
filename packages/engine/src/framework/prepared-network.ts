import type { AcceleratorSpec } from '../domain/accelerator.ts';
import { boostedWeight } from '../domain/market.ts';
import type { Network } from '../domain/network.ts';
import type { PowerBudget, PowerLevelKind } from '../domain/power.ts';
import type { ClusterQueue } from '../domain/queue.ts';
import type { Pool, Site } from '../domain/site.ts';
import type { Tenant } from '../domain/tenant.ts';
import { idlePowerKw } from '../models/energy.ts';
import { greatCircleKm, modelLatencyMs } from '../models/geo.ts';
import { type HourlyProfile, hourlyProfile } from '../models/hourly-profile.ts';
import { formatNumber } from './format.ts';
import { finishLevel, type LevelDraft, type PowerLevel } from './power-levels.ts';

export interface PreparedSite {
  readonly site: Site;
  readonly index: number;
  readonly tariff: HourlyProfile;
  /** Location-based grid intensity by local hour (flat at the annual factor without a profile). */
  readonly carbon: HourlyProfile;
  /** Facility power of all the site's accelerators idle: the floor under every job's increment. */
  readonly idleKw: number;
  /** Its power levels, from itself up: the site, and its grid region when that has a budget. */
  readonly levels: readonly PowerLevel[];
  /** The site's pools of each accelerator type. */
  readonly poolsByType: ReadonlyMap<string, readonly PreparedPool[]>;
  /** Accelerator types present, for explanations: `H20 ×2,048, Ascend910B ×4,096`. */
  readonly inventory: string;
}

export interface PreparedPool {
  readonly pool: Pool;
  readonly site: PreparedSite;
  readonly spec: AcceleratorSpec;
  readonly index: number;
  /** Its power levels, from itself up: its hall (when the pool has a budget), the site, the region. */
  readonly levels: readonly PowerLevel[];
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
  /** Accelerators of each type in the whole network, for dominant-resource shares. */
  readonly capacityByType: ReadonlyMap<string, number>;
  readonly tenants: ReadonlyMap<string, Tenant>;
  readonly clusterQueues: ReadonlyMap<string, ClusterQueue>;
  /** Cluster queues of each cohort. */
  readonly cohorts: ReadonlyMap<string, readonly ClusterQueue[]>;
  /** Tenants whose local queue points to each cluster queue. */
  readonly tenantsByQueue: ReadonlyMap<string, readonly string[]>;
  /** Every power level (regions with a budget, sites, pools with a budget), by index. */
  readonly levels: readonly PowerLevel[];
  /** The pools beneath each level, by level index. */
  readonly levelPools: readonly (readonly PreparedPool[])[];
  /** Power levels by `kind:id`. */
  readonly levelByKey: ReadonlyMap<string, PowerLevel>;
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
  const drafts: LevelDraft[] = [];
  const draft = (kind: PowerLevelKind, id: string, budget: PowerBudget, utcOffsetH: number): LevelDraft => {
    const d: LevelDraft = { index: drafts.length, kind, id, budget, utcOffsetH, fixedKw: 0 };
    drafts.push(d);
    return d;
  };
  const regionDrafts = new Map(
    (network.regions ?? []).map((r) => [r.province, draft('region', r.id, r.budget, r.utcOffsetH)]),
  );
  /** Each site's and pool's drafts, from itself up. */
  const siteLevels: LevelDraft[][] = [];
  const poolLevels: LevelDraft[][] = [];
  for (const site of network.sites) {
    const sitePools = new Map<string, PreparedPool[]>();
    let idleKw = 0;
    const region = regionDrafts.get(site.province);
    const siteDraft = draft(
      'site',
      site.id,
      site.powerBudget ?? { kwByHour: [site.powerCapMw * 1000] },
      site.utcOffsetH,
    );
    siteLevels.push(region ? [siteDraft, region] : [siteDraft]);
    for (const pool of site.pools) {
      const spec = accelerators.get(pool.accelerator);
      if (!spec) throw new Error(`pool ${pool.id}: unknown accelerator type ${pool.accelerator}`);
      const kw = idlePowerKw(spec, pool.count) * site.pue;
      idleKw += kw;
      const base = kw + (pool.powerBudget?.baseLoadKw ?? 0);
      const poolDraft = pool.powerBudget ? draft('pool', pool.id, pool.powerBudget, site.utcOffsetH) : undefined;
      if (poolDraft) poolDraft.fixedKw += kw;
      poolLevels.push(poolDraft ? [poolDraft, ...(siteLevels.at(-1) ?? [])] : [...(siteLevels.at(-1) ?? [])]);
      siteDraft.fixedKw += base;
    }
    if (region) region.fixedKw += siteDraft.fixedKw + (siteDraft.budget.baseLoadKw ?? 0);
    const ps: PreparedSite = {
      site,
      index: sites.length,
      tariff: hourlyProfile(site.tariffCnyPerKwh, site.utcOffsetH),
      carbon: hourlyProfile(
        site.carbonKgPerKwhByHour ?? new Array<number>(24).fill(site.gridCarbonKgPerKwh),
        site.utcOffsetH,
      ),
      idleKw,
      levels: [],
      poolsByType: sitePools,
      inventory: site.pools.map((p) => `${p.accelerator} ×${formatNumber(p.count)}`).join(', '),
    };
    sites.push(ps);
    siteById.set(site.id, ps);
    for (const pool of site.pools) {
      const spec = accelerators.get(pool.accelerator);
      if (!spec) throw new Error(`pool ${pool.id}: unknown accelerator type ${pool.accelerator}`);
      const pp: PreparedPool = { pool, site: ps, spec, index: pools.length, levels: [] };
      pools.push(pp);
      poolById.set(pool.id, pp);
      const same = sitePools.get(pool.accelerator);
      if (same) same.push(pp);
      else sitePools.set(pool.accelerator, [pp]);
      const list = poolsByType.get(pool.accelerator);
      if (list) list.push(pp);
      else poolsByType.set(pool.accelerator, [pp]);
      largestPoolByType.set(pool.accelerator, Math.max(largestPoolByType.get(pool.accelerator) ?? 0, pool.count));
    }
  }

  // The levels are final once every fixed draw is summed; sites and pools then point at theirs.
  const levels = drafts.map(finishLevel);
  for (const ps of sites)
    (ps.levels as PowerLevel[]).push(...(siteLevels[ps.index] ?? []).map((d) => levels[d.index] as PowerLevel));
  for (const pp of pools)
    (pp.levels as PowerLevel[]).push(...(poolLevels[pp.index] ?? []).map((d) => levels[d.index] as PowerLevel));
  const capacityByType = new Map<string, number>();
  for (const p of pools)
    capacityByType.set(p.pool.accelerator, (capacityByType.get(p.pool.accelerator) ?? 0) + p.pool.count);
  const clusterQueues = new Map(network.clusterQueues.map((q) => [q.name, q]));
  const cohorts = new Map<string, ClusterQueue[]>();
  for (const q of network.clusterQueues) {
    if (q.cohort === undefined) continue;
    const members = cohorts.get(q.cohort);
    if (members) members.push(q);
    else cohorts.set(q.cohort, [q]);
  }

  const tenantsByQueue = new Map<string, string[]>();
  for (const t of network.tenants) {
    if (t.clusterQueue === undefined) continue;
    const list = tenantsByQueue.get(t.clusterQueue);
    if (list) list.push(t.id);
    else tenantsByQueue.set(t.clusterQueue, [t.id]);
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
    capacityByType,
    // Sector programmes raise their sectors' share weights (docs/design/settlement.md).
    tenants: new Map(
      network.tenants.map((t) => [
        t.id,
        network.programmes?.some((p) => p.sectors.includes(t.sector))
          ? { ...t, shareWeight: boostedWeight(t.shareWeight, t.sector, network.programmes) }
          : t,
      ]),
    ),
    clusterQueues,
    cohorts,
    tenantsByQueue,
    levels,
    levelPools: poolsUnder(levels, pools),
    levelByKey: new Map(levels.map((l) => [`${l.kind}:${l.id}`, l])),
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

/** The pools beneath each level. */
function poolsUnder(levels: readonly PowerLevel[], pools: readonly PreparedPool[]): PreparedPool[][] {
  const out = levels.map((): PreparedPool[] => []);
  for (const p of pools) for (const l of p.levels) out[l.index]?.push(p);
  return out;
}

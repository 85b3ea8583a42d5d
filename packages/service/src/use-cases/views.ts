import {
  Cycle,
  greatCircleKm,
  headroom,
  linkKey,
  modelLatencyMs,
  type OutageClass,
  prepareNetwork,
  type Site,
} from '@suanli/engine';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import type { JobState } from '../job-record.ts';
import type { UseCaseContext } from './context.ts';

export interface PoolStatus {
  readonly id: string;
  readonly accelerator: string;
  readonly count: number;
  readonly used: number;
  readonly priceCnyPerAcceleratorHour: number;
  readonly backend: string;
}

/** A site as the API shows it: its description and the current use of its pools. */
export type SiteStatus = Omit<Site, 'pools'> & {
  readonly accelerators: number;
  readonly used: number;
  readonly utilization: number;
  readonly pools: readonly PoolStatus[];
  /** Out of service: since when, how and why (absent: in service). */
  readonly outage?: { readonly sinceS: number; readonly failureClass: OutageClass; readonly reason: string };
};

export interface LinkView {
  readonly a: string;
  readonly b: string;
  readonly latencyMs: number;
  readonly bandwidthGbps: number;
  /** From the route model rather than an explicit link of the network file. */
  readonly modelled: boolean;
  /** Cut (nothing is staged over it): since when and why. */
  readonly cut?: { readonly sinceS: number; readonly reason: string };
}

export interface TenantView {
  readonly id: string;
  readonly name: string;
  readonly sector: string;
  readonly shareWeight: number;
  readonly clusterQueue?: string;
}

export interface QuotaStatus {
  readonly name: string;
  readonly cohort?: string;
  readonly tenants: readonly string[];
  readonly flavours: readonly {
    readonly flavour: string;
    readonly nominal: number;
    readonly used: number;
    readonly available: number;
    /** Used beyond the nominal quota: borrowed from the cohort. */
    readonly borrowed: number;
    readonly borrowingLimit?: number;
  }[];
}

/** Views of the network for the dashboard, the CLI and metrics: answered from the ledger, not by scanning the store. */
export class Views {
  private readonly ctx: UseCaseContext;

  constructor(ctx: UseCaseContext) {
    this.ctx = ctx;
  }

  async sites(actor: Principal): Promise<SiteStatus[]> {
    authorize(actor, 'sites.read');
    const ledger = await this.ledger();
    return this.ctx.network().sites.map((s) => {
      const pools = s.pools.map((p) => ({
        id: p.id,
        accelerator: p.accelerator,
        count: p.count,
        used: ledger.usedOn(p.id),
        ...(p.nodeSize !== undefined ? { nodeSize: p.nodeSize } : {}),
        priceCnyPerAcceleratorHour: p.priceCnyPerAcceleratorHour,
        backend: p.backend,
      }));
      const accelerators = pools.reduce((n, p) => n + p.count, 0);
      const inUse = pools.reduce((n, p) => n + p.used, 0);
      const { pools: _, ...site } = s;
      const o = ledger.health.sites.get(s.id);
      return {
        ...site,
        accelerators,
        used: inUse,
        utilization: accelerators > 0 ? inUse / accelerators : 0,
        pools,
        ...(o ? { outage: { sinceS: o.sinceS, failureClass: o.failureClass, reason: o.reason } } : {}),
      };
    });
  }

  async site(id: string, actor: Principal): Promise<SiteStatus> {
    const site = (await this.sites(actor)).find((s) => s.id === id);
    if (!site) throw new SuanliError('SITE_NOT_FOUND', `no site ${id}`);
    return site;
  }

  /**
   * The links to draw: the network's explicit links, and for every site the modelled links to its
   * two nearest sites (latency from the route model), each pair once.
   */
  links(actor: Principal): LinkView[] {
    authorize(actor, 'sites.read');
    const net = this.ctx.network();
    const out = new Map<string, LinkView>();
    const key = linkKey;
    for (const l of net.links) {
      out.set(key(l.a, l.b), {
        a: l.a,
        b: l.b,
        latencyMs: l.latencyMs,
        bandwidthGbps: l.bandwidthGbps,
        modelled: false,
      });
    }
    const m = net.linkModel;
    for (const s of net.sites) {
      const nearest = net.sites
        .filter((t) => t.id !== s.id)
        .map((t) => ({ t, km: greatCircleKm(s.lat, s.lon, t.lat, t.lon) }))
        .sort((x, y) => x.km - y.km)
        .slice(0, 2);
      for (const { t, km } of nearest) {
        const k = key(s.id, t.id);
        if (out.has(k)) continue;
        const latencyMs = Math.round(modelLatencyMs(km, m.routeFactor, m.minLatencyMs) * 10) / 10;
        out.set(k, { a: s.id, b: t.id, latencyMs, bandwidthGbps: m.bandwidthGbps, modelled: true });
      }
    }
    // Cut links, drawn whether or not they are among those above.
    const prepared = prepareNetwork(net);
    for (const [k, c] of this.ctx.live.ledgerIfBuilt()?.health.links ?? []) {
      const a = prepared.siteById.get(c.from);
      const b = prepared.siteById.get(c.to);
      if (!a || !b) continue;
      const known = out.get(k);
      const link = known ?? {
        a: c.from,
        b: c.to,
        latencyMs: Math.round(prepared.link(a, b).latencyMs * 10) / 10,
        bandwidthGbps: prepared.link(a, b).bandwidthGbps,
        modelled: true,
      };
      out.set(k, { ...link, cut: { sinceS: c.sinceS, reason: c.reason } });
    }
    return [...out.values()];
  }

  /**
   * Cluster queues with each accelerator type's nominal quota, use (running and placed jobs), what
   * they may take now including borrowing, and the tenants on each. Tenant roles see their own queue.
   */
  async quotas(actor: Principal): Promise<QuotaStatus[]> {
    authorize(actor, 'sites.read');
    const ledger = await this.ledger();
    const cycle = new Cycle(ledger.peek(), this.ctx.clock.nowS());
    const net = this.ctx.network();
    const mine = actor.tenant !== undefined ? net.tenants.find((t) => t.id === actor.tenant)?.clusterQueue : undefined;
    return net.clusterQueues
      .filter((q) => actor.tenant === undefined || q.name === mine)
      .map((q) => ({
        name: q.name,
        ...(q.cohort !== undefined ? { cohort: q.cohort } : {}),
        tenants: net.tenants.filter((t) => t.clusterQueue === q.name).map((t) => t.id),
        flavours: q.quotas.map((f) => {
          const h = headroom(cycle, q, f.flavour);
          return {
            flavour: f.flavour,
            nominal: h.nominal,
            used: h.used,
            available: h.available,
            borrowed: Math.max(0, h.used - h.nominal),
            ...(f.borrowingLimit !== undefined ? { borrowingLimit: f.borrowingLimit } : {}),
          };
        }),
      }));
  }

  /** The tenants of the network with their sector, share weight and cluster queue; a tenant role sees its own. */
  tenants(actor: Principal): TenantView[] {
    authorize(actor, 'sites.read');
    return this.ctx
      .network()
      .tenants.filter((t) => actor.tenant === undefined || t.id === actor.tenant)
      .map((t) => ({
        id: t.id,
        name: t.name,
        sector: t.sector,
        shareWeight: t.shareWeight,
        ...(t.clusterQueue !== undefined ? { clusterQueue: t.clusterQueue } : {}),
      }));
  }

  countJobsByState(): Promise<Readonly<Record<JobState, number>>> {
    return this.ctx.store.countJobsByState();
  }

  private async ledger() {
    const live = this.ctx.live;
    await live.exclusive(() => live.catchUp());
    return live.ledger;
  }
}

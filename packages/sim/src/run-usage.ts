import type { SectorShare, SiteUsage, TenantUsage } from './metrics.ts';

/** What a run adds up per site, per tenant and per sector as it goes. */
export interface SiteFigures {
  accS: number;
  energyKwh: number;
  costCny: number;
  carbonKg: number;
  jobs: number;
}

export interface TenantFigures {
  readonly sector: string;
  jobs: number;
  accS: number;
  jctS: number;
  slowdown: number;
}

export interface SectorFigures {
  jobs: number;
  accS: number;
  demandS: number;
}

/** The report's rows per site, tenant (by id) and sector (by name) from a run's tallies over `spanS`. */
export function usageRows(
  sites: readonly { readonly site: { readonly id: string; readonly pools: readonly { readonly count: number }[] } }[],
  siteFig: readonly SiteFigures[],
  tenants: ReadonlyMap<string, TenantFigures>,
  sectors: ReadonlyMap<string, SectorFigures>,
  spanS: number,
  acceleratorS: number,
): { sites: SiteUsage[]; tenantRows: TenantUsage[]; sectorRows: SectorShare[] } {
  const siteRows: SiteUsage[] = sites.map((s, i) => {
    const f = siteFig[i] ?? { accS: 0, energyKwh: 0, costCny: 0, carbonKg: 0, jobs: 0 };
    const accelerators = s.site.pools.reduce((n, p) => n + p.count, 0);
    return {
      siteId: s.site.id,
      accelerators,
      utilization: accelerators > 0 ? f.accS / (accelerators * spanS) : 0,
      acceleratorHours: f.accS / 3600,
      energyKwh: f.energyKwh,
      costCny: f.costCny,
      carbonKg: f.carbonKg,
      jobs: f.jobs,
    };
  });
  const tenantRows: TenantUsage[] = [...tenants.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([tenant, f]) => ({
      tenant,
      sector: f.sector,
      jobs: f.jobs,
      acceleratorHours: f.accS / 3600,
      avgJctS: f.jobs > 0 ? f.jctS / f.jobs : 0,
      avgSlowdown: f.jobs > 0 ? f.slowdown / f.jobs : 0,
    }));
  const totalDemandS = [...sectors.values()].reduce((n, s) => n + s.demandS, 0);
  const sectorRows: SectorShare[] = [...sectors.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([sector, f]) => ({
      sector,
      jobs: f.jobs,
      acceleratorHours: f.accS / 3600,
      share: acceleratorS > 0 ? f.accS / acceleratorS : 0,
      demandShare: totalDemandS > 0 ? f.demandS / totalDemandS : 0,
    }));
  return { sites: siteRows, tenantRows, sectorRows };
}

import { formatNumber } from '../../framework/format.ts';
import type { SiteFilterPlugin } from '../../framework/plugin.ts';
import { unresolvable } from '../../framework/status.ts';

/** Rejects sites that have no pool of any accelerator type the job accepts. */
export const acceleratorType: SiteFilterPlugin = {
  name: 'accelerator-type',
  filterSite(_cycle, job, site) {
    const pools = site.site.pools;
    for (const option of job.options) {
      for (const pool of pools) if (pool.accelerator === option.accelerator) return null;
    }
    const wanted = job.options.map((o) => o.accelerator).join(' or ');
    const has = pools.map((p) => `${p.accelerator} ×${formatNumber(p.count)}`).join(', ');
    return unresolvable(`no ${wanted} pool (has ${has || 'no pools'})`);
  },
};

import type { SiteFilterPlugin } from '../../framework/plugin.ts';
import { unresolvable } from '../../framework/status.ts';

export const ACCELERATOR_TYPE = 'accelerator-type';

/** Rejects sites that have no pool of any accelerator type the job accepts. */
export function acceleratorType(): SiteFilterPlugin {
  return {
    name: ACCELERATOR_TYPE,
    filterSite(_cycle, job, site) {
      for (const option of job.options) if (site.poolsByType.has(option.accelerator)) return null;
      const wanted = job.options.map((o) => o.accelerator).join(' or ');
      return unresolvable(`no ${wanted} pool (has ${site.inventory || 'no pools'})`);
    },
  };
}

import { formatNumber } from '../../framework/format.ts';
import type { FilterPlugin, PreFilterPlugin } from '../../framework/plugin.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';
import { headroom, queueOf } from './quota-math.ts';

export const QUOTA = 'quota';

/**
 * Admission against cluster-queue quotas (Kueue). Pre-filter: the tenant's queue must have quota
 * (its own or its cohort's) for at least one accepted accelerator type. Filter: the option's type
 * must have enough headroom now (within the nominal quota alone for a job that may not borrow:
 * a guaranteed serving replica). Tenants without a cluster queue are not limited.
 */
export function quota(): PreFilterPlugin & FilterPlugin {
  return {
    name: QUOTA,
    preFilter(cycle, job) {
      const cq = queueOf(cycle, job.tenant);
      if (!cq) return null;
      if (job.options.some((o) => headroom(cycle, cq, o.accelerator).hasQuota)) return null;
      const types = job.options.map((o) => o.accelerator).join(' or ');
      return unresolvable(`cluster queue ${cq.name} has no quota for ${types}`);
    },
    filter(cycle, job, option) {
      const cq = queueOf(cycle, job.tenant);
      if (!cq) return null;
      const flavour = option.choice.accelerator;
      const h = headroom(cycle, cq, flavour);
      if (job.withinNominal && option.count > Math.max(0, h.nominal - h.used)) {
        return unschedulable(
          `cluster queue ${cq.name}: ${formatNumber(h.used)} ${flavour} in use of nominal ${formatNumber(h.nominal)}; a guaranteed replica borrows nothing and needs ${formatNumber(option.count)}`,
        );
      }
      if (option.count <= h.available) return null;
      const lend = cq.cohort === undefined ? '' : `, cohort ${cq.cohort} has ${formatNumber(h.cohortFree)} to lend`;
      return unschedulable(
        `cluster queue ${cq.name}: ${formatNumber(h.used)} ${flavour} in use of nominal ${formatNumber(h.nominal)}${lend}; needs ${formatNumber(option.count)}`,
      );
    },
  };
}

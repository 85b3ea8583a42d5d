import type { Job } from '../../domain/job.ts';
import type { Cycle } from '../../framework/cycle.ts';
import type { QueueSortPlugin } from '../../framework/plugin.ts';

export const FAIR_SHARE = 'fair-share';

/**
 * A tenant's weighted dominant share: the largest fraction of any accelerator type of the network
 * it holds, divided by its share weight (dominant-resource fairness over accelerator types).
 */
export function dominantShare(cycle: Cycle, tenant: string): number {
  let share = 0;
  for (const [type, used] of cycle.usageOf(tenant)) {
    const capacity = cycle.net.capacityByType.get(type) ?? 0;
    if (capacity > 0) share = Math.max(share, used / capacity);
  }
  return share / (cycle.net.tenants.get(tenant)?.shareWeight ?? 1);
}

/**
 * Weighted fair share across tenants (DRF): within a priority, the tenant with the smallest
 * weighted dominant share goes first; shares are re-read after every placement in the cycle.
 */
export function fairShare(): QueueSortPlugin {
  return {
    name: FAIR_SHARE,
    dynamic: true,
    compare(a: Job, b: Job, cycle: Cycle) {
      if (a.priority !== b.priority) return b.priority - a.priority;
      if (a.tenant !== b.tenant) {
        const sa = dominantShare(cycle, a.tenant);
        const sb = dominantShare(cycle, b.tenant);
        if (sa !== sb) return sa - sb;
      }
      if (a.submittedAtS !== b.submittedAtS) return a.submittedAtS - b.submittedAtS;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    },
  };
}

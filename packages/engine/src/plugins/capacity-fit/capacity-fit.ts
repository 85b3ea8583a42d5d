import { formatDuration, formatNumber } from '../../framework/format.ts';
import type { PoolFilterPlugin } from '../../framework/plugin.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';

/**
 * Rejects pools that can never hold the whole gang (unresolvable) or whose held accelerators are
 * not expected back at all (unschedulable). A pool that is busy now but frees up later passes:
 * its wait is part of the estimate and of the time score.
 */
export const capacityFit: PoolFilterPlugin = {
  name: 'capacity-fit',
  filterPool(cycle, job, c) {
    const size = c.pool.pool.count;
    if (c.count > size) {
      const gang = job.gang > 1 ? ` (${job.gang} × ${c.option.perMember})` : '';
      return unresolvable(
        `needs ${formatNumber(c.count)} ${c.option.accelerator}${gang} in one pool; pool ${c.pool.pool.id} has ${formatNumber(size)}`,
      );
    }
    const waitS = cycle.waitFor(c.pool, c.count);
    if (!Number.isFinite(waitS)) {
      return unschedulable(
        `${formatNumber(cycle.freeIn(c.pool))} of ${formatNumber(size)} ${c.option.accelerator} free and no release expected (${formatDuration(waitS)})`,
      );
    }
    return null;
  },
};

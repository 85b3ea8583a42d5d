import { formatNumber } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';

export const CAPACITY_FIT = 'capacity-fit';

/**
 * Rejects pools that can never hold the whole gang (unresolvable), or whose held accelerators are
 * not expected back while the run would last (unschedulable). A pool that is busy now but frees up
 * later passes: its wait is part of the estimate and of the time score.
 */
export function capacityFit(): FilterPlugin {
  return {
    name: CAPACITY_FIT,
    filter(cycle, job, o) {
      const size = o.pool.pool.count;
      if (o.count > size) {
        const gang = job.gang > 1 ? ` (${job.gang} × ${o.choice.perMember})` : '';
        return unresolvable(
          `needs ${formatNumber(o.count)} ${o.choice.accelerator}${gang} in one pool; pool ${o.pool.pool.id} has ${formatNumber(size)}`,
        );
      }
      const nodeSize = o.pool.pool.nodeSize;
      if (!Number.isFinite(o.earliestS) && o.boundBy === 'nodes' && nodeSize) {
        return unresolvable(
          `needs ${job.gang} × ${formatNumber(o.choice.perMember)} ${o.choice.accelerator}, each on one node or on whole nodes; pool ${o.pool.pool.id} has ${formatNumber(Math.ceil(size / nodeSize))} nodes of ${formatNumber(nodeSize)}`,
        );
      }
      if (!Number.isFinite(o.earliestS) && o.boundBy === 'capacity') {
        return unschedulable(
          `${formatNumber(cycle.freeAt(o.pool, cycle.nowS))} of ${formatNumber(size)} ${o.choice.accelerator} free, not enough expected back`,
        );
      }
      return null;
    },
  };
}

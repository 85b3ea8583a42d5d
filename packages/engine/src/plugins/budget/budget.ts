import { formatNumber } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { unschedulable } from '../../framework/status.ts';

export const BUDGET = 'budget';

/** Rejects options whose estimated total cost exceeds the job's budget. */
export function budget(): FilterPlugin {
  return {
    name: BUDGET,
    filter(_cycle, job, o) {
      if (job.budgetCny === undefined || !Number.isFinite(o.startS)) return null;
      const cost = o.costCny;
      if (cost <= job.budgetCny) return null;
      return unschedulable(
        `estimated ${formatNumber(cost)} CNY exceeds the budget of ${formatNumber(job.budgetCny)} CNY`,
      );
    },
  };
}

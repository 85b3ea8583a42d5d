import { formatNumber } from '../../framework/format.ts';
import type { PoolFilterPlugin } from '../../framework/plugin.ts';
import { unschedulable } from '../../framework/status.ts';

/** Rejects candidates whose estimated total cost exceeds the job's budget. */
export const budget: PoolFilterPlugin = {
  name: 'budget',
  filterPool(_cycle, job, c) {
    if (job.budgetCny === undefined) return null;
    const cost = c.estimate().costCny;
    if (cost <= job.budgetCny) return null;
    return unschedulable(
      `estimated ${formatNumber(cost)} CNY exceeds the budget of ${formatNumber(job.budgetCny)} CNY`,
    );
  },
};

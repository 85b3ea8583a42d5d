import { formatDuration } from '../../framework/format.ts';
import type { PoolFilterPlugin } from '../../framework/plugin.ts';
import { unschedulable } from '../../framework/status.ts';

/** Rejects candidates whose expected end is after the job's deadline. */
export const deadline: PoolFilterPlugin = {
  name: 'deadline',
  filterPool(_cycle, job, c) {
    if (job.deadlineS === undefined) return null;
    const endS = c.estimate().endS;
    if (endS <= job.deadlineS) return null;
    return unschedulable(`would end ${formatDuration(endS - job.deadlineS)} after the deadline`);
  },
};

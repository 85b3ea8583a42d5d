import { formatDuration } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { unschedulable } from '../../framework/status.ts';

export const DEADLINE = 'deadline';

/** Rejects options whose expected end is after the job's deadline. */
export function deadline(): FilterPlugin {
  return {
    name: DEADLINE,
    filter(_cycle, job, o) {
      if (job.deadlineS === undefined) return null;
      const endS = o.startS + o.durationS;
      if (endS <= job.deadlineS) return null;
      if (!Number.isFinite(endS)) return unschedulable('would not start in time for the deadline');
      return unschedulable(`would end ${formatDuration(endS - job.deadlineS)} after the deadline`);
    },
  };
}

import { formatDuration } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { unresolvable, unschedulable } from '../../framework/status.ts';

export const DEADLINE = 'deadline';

/**
 * Rejects options whose expected end is after the job's deadline: unschedulable while a start
 * now could still make it, unresolvable once even that would end too late (time only moves on).
 */
export function deadline(): FilterPlugin {
  return {
    name: DEADLINE,
    filter(cycle, job, o) {
      if (job.deadlineS === undefined) return null;
      const endS = o.startS + o.durationS;
      if (endS <= job.deadlineS) return null;
      if (cycle.nowS + o.staging.transferS + o.durationS > job.deadlineS) {
        return unresolvable(`cannot end by the deadline any more: the run alone takes ${formatDuration(o.durationS)}`);
      }
      if (!Number.isFinite(endS)) return unschedulable('would not start in time for the deadline');
      return unschedulable(`would end ${formatDuration(endS - job.deadlineS)} after the deadline`);
    },
  };
}

import type { Job } from '../../domain/job.ts';
import { formatDuration } from '../../framework/format.ts';
import type { FilterPlugin } from '../../framework/plugin.ts';
import { unschedulable } from '../../framework/status.ts';
import { durationOnS } from '../../models/equivalence.ts';

export const DEADLINE = 'deadline';

/**
 * Rejects options that start later than a job that must start soon allows (`startWithinS`), and
 * options whose expected end is after the job's deadline (unschedulable: a later cycle
 * may find room), as long as the deadline can still be met. Once even the fastest accepted type,
 * started now, would end too late, the deadline is lost: every option passes and the job runs as
 * soon as it can — a late result is worth more than none, and the miss is counted, not hidden.
 */
export function deadline(): FilterPlugin {
  // The fastest run of a job over its accepted types; jobs do not change within a decision.
  const fastest = new WeakMap<Job, number>();
  return {
    name: DEADLINE,
    filter(cycle, job, o) {
      const within = job.startWithinS;
      if (within !== undefined && o.startS > cycle.nowS + within) {
        return unschedulable(`must start within ${formatDuration(within)}: the earliest start here is later`);
      }
      const deadlineS = job.deadlineS;
      if (deadlineS === undefined) return null;
      const endS = o.startS + o.durationS;
      if (endS <= deadlineS) return null;
      let fastestS = fastest.get(job);
      if (fastestS === undefined) {
        fastestS = Math.min(...job.options.map((c) => durationOnS(job, c, (t) => cycle.net.accelerators.get(t))));
        fastest.set(job, fastestS);
      }
      if (cycle.nowS + fastestS > deadlineS) return null;
      if (cycle.nowS + o.staging.transferS + o.durationS > deadlineS) {
        return unschedulable(`cannot end by the deadline here: the run alone takes ${formatDuration(o.durationS)}`);
      }
      if (!Number.isFinite(endS)) return unschedulable('would not start in time for the deadline');
      return unschedulable(`would end ${formatDuration(endS - deadlineS)} after the deadline`);
    },
  };
}

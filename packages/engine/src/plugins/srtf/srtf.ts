import type { QueueSortPlugin } from '../../framework/plugin.ts';
import { expectedEndS } from '../../framework/running-draw.ts';
import { byDuration } from '../sjf/sjf.ts';

export const SRTF = 'srtf';

/**
 * Shortest remaining time first. Queued jobs are ordered by their remaining run (`durationS` of a
 * job stopped and requeued is what it has left); a running job's remaining time is to its
 * expected end. With preempt-by-order, a queued job stops running jobs with more time left.
 */
export function srtf(): QueueSortPlugin {
  return {
    name: SRTF,
    dynamic: false,
    compare: byDuration,
    rank: {
      job: (job) => job.durationS,
      running: (a, cycle) => expectedEndS(a, cycle.nowS) - cycle.nowS,
    },
  };
}

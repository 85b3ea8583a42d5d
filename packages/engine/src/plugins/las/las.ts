import type { Job } from '../../domain/job.ts';
import type { QueueSortPlugin } from '../../framework/plugin.ts';
import { byPriorityThenAge } from '../priority-fifo/priority-fifo.ts';

export const LAS = 'las';

export interface LasArgs {
  /** Attained service (accelerator-seconds) at which a job drops to the next queue, ascending. */
  readonly thresholdsS: readonly number[];
}

/**
 * Discretised least-attained-service (Tiresias, NSDI '19): jobs are in queues by the service
 * they have had (accelerator-seconds); lower queues go first, first come first served within a
 * queue. It needs no duration estimates. With preempt-by-order, a job in a lower queue stops
 * running jobs that have dropped to a higher one; jobs in the same queue never stop each other.
 */
export function las(args: LasArgs): QueueSortPlugin {
  const level = (attainedS: number): number => {
    let l = 0;
    while (l < args.thresholdsS.length && attainedS >= (args.thresholdsS[l] ?? Number.POSITIVE_INFINITY)) l++;
    return l;
  };
  const of = (job: Job) => level(job.attainedS ?? 0);
  return {
    name: LAS,
    dynamic: false,
    compare: (a, b) => of(a) - of(b) || byPriorityThenAge(a, b),
    rank: {
      job: of,
      running: (a, cycle) => level((a.attainedS ?? 0) + a.count * Math.max(0, cycle.nowS - a.startS)),
    },
  };
}

import type { Job } from '../../domain/job.ts';
import type { QueueSortPlugin } from '../../framework/plugin.ts';
import { byPriorityThenAge } from '../priority-fifo/priority-fifo.ts';

export const QSSF = 'qssf';

/** Estimated service: accelerators of the first choice × estimated run time. */
export function serviceS(job: Job): number {
  const first = job.options[0];
  return (first ? first.perMember * job.gang : 0) * job.durationS;
}

/**
 * Quasi-shortest-service-first (Helios, SC '21): the least estimated service (accelerators × run
 * time) goes first, non-preemptive. The estimate is whatever the job says; the simulator feeds it
 * from the user's history when asked to.
 */
export function qssf(): QueueSortPlugin {
  return {
    name: QSSF,
    dynamic: false,
    compare: (a, b) => serviceS(a) - serviceS(b) || byPriorityThenAge(a, b),
  };
}

import type { Job } from '../../domain/job.ts';
import type { QueueSortPlugin } from '../../framework/plugin.ts';
import { byPriorityThenAge } from '../priority-fifo/priority-fifo.ts';

export const SJF = 'sjf';

/** Shorter estimated run first; ties first come, first served. */
export function byDuration(a: Job, b: Job): number {
  return a.durationS - b.durationS || byPriorityThenAge(a, b);
}

/**
 * Shortest job first (non-preemptive): the shortest estimated run time goes first. With the
 * simulator's oracle estimates it is the classic SJF; with users' estimates, what they claim.
 */
export function sjf(): QueueSortPlugin {
  return { name: SJF, dynamic: false, compare: byDuration };
}

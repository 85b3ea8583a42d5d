import type { Job } from '../../domain/job.ts';
import type { QueueSortPlugin } from '../../framework/plugin.ts';

export const PRIORITY_FIFO = 'priority-fifo';

/** Higher priority first; then first come, first served; then job id, so the order is total. */
export function byPriorityThenAge(a: Job, b: Job): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.submittedAtS !== b.submittedAtS) return a.submittedAtS - b.submittedAtS;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function priorityFifo(): QueueSortPlugin {
  return { name: PRIORITY_FIFO, dynamic: false, compare: byPriorityThenAge };
}

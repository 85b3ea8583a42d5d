import type { QueueSortPlugin } from '../../framework/plugin.ts';

/** Higher priority first; then first come, first served; then job id, so the order is total. */
export const priorityFifo: QueueSortPlugin = {
  name: 'priority-fifo',
  compare(a, b) {
    if (a.priority !== b.priority) return b.priority - a.priority;
    if (a.submittedAtS !== b.submittedAtS) return a.submittedAtS - b.submittedAtS;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  },
};

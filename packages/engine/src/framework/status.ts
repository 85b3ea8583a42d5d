/**
 * The outcome of one plug-in on one candidate. `null` means success (as in the Kubernetes
 * scheduling framework, where a nil status is success), so the hot path allocates nothing.
 *
 * - `unschedulable`: not now; the job may fit here later (capacity, budget at this hour, deadline).
 * - `unresolvable`: never, as the job is written (pool too small, no acceptable accelerator).
 */
export interface Rejection {
  readonly code: 'unschedulable' | 'unresolvable';
  readonly reason: string;
}

export type FilterStatus = Rejection | null;

export function unschedulable(reason: string): Rejection {
  return { code: 'unschedulable', reason };
}

export function unresolvable(reason: string): Rejection {
  return { code: 'unresolvable', reason };
}

/**
 * Outcomes of plug-ins, as values. `null` is success (as in the Kubernetes scheduling framework,
 * where a nil status is success), so the hot path allocates nothing.
 *
 * | code            | meaning                                                      | what follows                         |
 * |-----------------|--------------------------------------------------------------|--------------------------------------|
 * | success (null)  | go on                                                        | the next plug-in                     |
 * | `unschedulable` | not now: it may fit later (capacity, quota, deadline, budget) | the job waits; preemption may help   |
 * | `unresolvable`  | never, as the job is written (no pool big enough, no type)   | the job waits; preemption cannot help|
 * | `wait`          | (permit only) hold the decision: the job is not placed now   | the job waits, its hold is undone    |
 * | `error`         | a plug-in failed (a bug, bad input to it)                     | recorded against the plug-in; the job waits |
 */
export type StatusCode = 'success' | 'unschedulable' | 'unresolvable' | 'wait' | 'error';

export interface Rejection {
  readonly code: 'unschedulable' | 'unresolvable';
  readonly reason: string;
}

export type FilterStatus = Rejection | null;

export type PermitStatus = Rejection | { readonly code: 'wait'; readonly reason: string } | null;

export function unschedulable(reason: string): Rejection {
  return { code: 'unschedulable', reason };
}

export function unresolvable(reason: string): Rejection {
  return { code: 'unresolvable', reason };
}

/** A rejection, or a plug-in's failure recorded against it (the runner's view of a "no"). */
export type Failure = Rejection | { readonly code: 'error'; readonly reason: string };

/** What the runner records when a plug-in throws: an `error` against the plug-in; the job waits. */
export function pluginError(plugin: string, e: unknown): Failure {
  return { code: 'error', reason: `plug-in ${plugin} failed: ${e instanceof Error ? e.message : String(e)}` };
}

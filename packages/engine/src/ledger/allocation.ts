import type { JobKind } from '../domain/job.ts';
import type { Placement } from '../domain/placement.ts';
import type { Allocation } from '../domain/snapshot.ts';

/** What an allocation keeps of the job that holds it. */
export interface AllocatedJob {
  readonly id: string;
  readonly tenant: string;
  readonly kind: JobKind;
  readonly priority: number;
  readonly preemptible: boolean;
  readonly submittedAtS: number;
  readonly deadlineS?: number;
  /** Accelerator-seconds of service before this run. */
  readonly attainedS?: number;
  readonly checkpoint?: { readonly intervalS: number };
  readonly powerCapW?: number;
}

/**
 * What a placed job holds, from `startS` until it is expected to end (`endS`): the one place where
 * the service and the simulator turn a placement into the allocation the ledger keeps.
 */
export function allocationOf(job: AllocatedJob, placement: Placement, startS: number, endS: number): Allocation {
  return {
    jobId: job.id,
    tenant: job.tenant,
    kind: job.kind,
    poolId: placement.poolId,
    accelerator: placement.accelerator,
    count: placement.count,
    startS,
    endS,
    priority: job.priority,
    preemptible: job.preemptible,
    submittedAtS: job.submittedAtS,
    ...((job.attainedS ?? 0) > 0 ? { attainedS: job.attainedS } : {}),
    ...(job.deadlineS !== undefined ? { deadlineS: job.deadlineS } : {}),
    ...(placement.nodes ? { nodes: placement.nodes } : {}),
    ...(job.checkpoint ? { checkpointS: job.checkpoint.intervalS } : {}),
    ...(job.powerCapW !== undefined ? { powerCapW: job.powerCapW } : {}),
    // Its accelerators are held from the placement; they draw power once its data is staged.
    ...(placement.estimate.startS > startS ? { drawFromS: placement.estimate.startS } : {}),
  };
}

/**
 * Accelerator-seconds of work a running allocation would lose if stopped at `nowS`: the run since
 * its last checkpoint, for a job that checkpoints; 0 for one that does not declare it (it is
 * assumed to save its state when stopped, as preemption has always kept a stopped job's work).
 */
export function lostIfStoppedS(a: Pick<Allocation, 'startS' | 'count' | 'checkpointS'>, nowS: number): number {
  if (a.checkpointS === undefined || a.checkpointS <= 0) return 0;
  const ranS = Math.max(0, nowS - a.startS);
  return a.count * (ranS % a.checkpointS);
}

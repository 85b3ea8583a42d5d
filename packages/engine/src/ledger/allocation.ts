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
  };
}

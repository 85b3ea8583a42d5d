import type { Job, JobKind } from './job.ts';
import type { Network } from './network.ts';

/** Accelerators held by a job that was placed earlier, until `endS` (expected). */
export interface Allocation {
  readonly jobId: string;
  readonly tenant: string;
  readonly kind: JobKind;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  readonly startS: number;
  readonly endS: number;
  readonly priority: number;
  readonly preemptible: boolean;
  /** When the job was first submitted (queue-order policies compare running jobs with queued ones). */
  readonly submittedAtS?: number;
  /** Accelerator-seconds of service before this run. */
  readonly attainedS?: number;
}

/** The whole input of one decision cycle. */
export interface Snapshot {
  readonly network: Network;
  readonly allocations: readonly Allocation[];
  /** Jobs waiting for a placement; the engine orders them itself. */
  readonly queue: readonly Job[];
}

import type { Job } from './job.ts';
import type { Network } from './network.ts';

/** Accelerators held by a job that was placed earlier, until `endS` (expected). */
export interface Allocation {
  readonly jobId: string;
  readonly poolId: string;
  readonly count: number;
  readonly startS: number;
  readonly endS: number;
}

/** The whole input of one decision cycle. */
export interface Snapshot {
  readonly network: Network;
  readonly allocations: readonly Allocation[];
  /** Jobs waiting for a placement; the engine orders them itself. */
  readonly queue: readonly Job[];
}

import type { NetworkHealth } from './health.ts';
import type { Job, JobKind } from './job.ts';
import type { Network } from './network.ts';
import type { GridEvent, PowerScheduleEntry } from './power.ts';

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
  /** The job's deadline, if it has one (orders that preempt may spare it). */
  readonly deadlineS?: number;
  /** Where its accelerators sit, on a pool with a node size. */
  readonly nodes?: readonly NodeShare[];
  /** How often the job checkpoints: stopping it loses the work since the last one. */
  readonly checkpointS?: number;
  /** The job's own power cap per accelerator (W), for its whole run. */
  readonly powerCapW?: number;
  /** A grid event's power cap per accelerator (W), until `capUntilS`; then the job's own again. */
  readonly gridCapW?: number;
  readonly capUntilS?: number;
  /** When it starts to draw power: once its data is staged (absent: from `startS`). */
  readonly drawFromS?: number;
}

/** Accelerators of one placement on one node of a pool (nodes numbered from 0 in the pool). */
export interface NodeShare {
  readonly node: number;
  readonly count: number;
}

/**
 * A cross-border transfer of personal information already made: counters of the 2024 Provisions
 * add up per legal entity and calendar year (Asia/Shanghai), each data set (by checksum) once.
 */
export interface ExportRecord {
  readonly legalEntity: string;
  /** Calendar year in Asia/Shanghai. */
  readonly year: number;
  readonly datasetChecksum: string;
  readonly individuals: number;
  readonly sensitiveIndividuals: number;
}

/**
 * What a ledger keeps of the allocations across cycles, so a cycle need not count them again: the
 * allocations on each pool (by the prepared network's pool index) and the accelerators each tenant
 * holds, by type. A cycle reads them and copies before it changes anything.
 */
export interface HeldView {
  readonly byPool: readonly (readonly Allocation[])[];
  readonly usage: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** The whole input of one decision cycle. */
export interface Snapshot {
  readonly network: Network;
  readonly allocations: readonly Allocation[];
  /** Jobs waiting for a placement; the engine orders them itself. */
  readonly queue: readonly Job[];
  /** Transfers abroad so far, for the governance rules' counters. */
  readonly exports?: readonly ExportRecord[];
  /** The allocations indexed, when a ledger keeps them (else the cycle indexes `allocations`). */
  readonly held?: HeldView;
  /** Sites and links out of service; absent: all in service. */
  readonly health?: NetworkHealth;
  /** Grid events and contracted windows added since the network file; absent: none. */
  readonly power?: PowerState;
}

/** What the ledger knows of power beyond the network file. */
export interface PowerState {
  /** Grid events not yet over. */
  readonly events: readonly GridEvent[];
  readonly schedules: readonly PowerScheduleEntry[];
}

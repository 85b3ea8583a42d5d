import type { FailureClass } from '@suanli/engine';

/**
 * A site's cluster manager, as Suanli sees it: it takes a placed job, runs it, and reports on it.
 *
 * Deliberately not in this port: queues, partitions, accounts and node lists of the backend, and
 * any way to run a command. Suanli decides where; the backend decides how.
 */
export interface Backend {
  readonly name: string;
  /**
   * How many seconds of a job's estimate pass in one second of the clock: 1 for a real cluster
   * (the default), 60 for the sim backend at 60×. Expected starts behind running jobs use it, so
   * an explanation's "starts in 10 min" is wall-clock time on a fast simulated backend too.
   */
  readonly timeScale?: number;
  /**
   * Hands a placed job to the backend. Idempotent: submitting the same `jobId` again returns the
   * external id of the first submission and runs nothing twice.
   */
  submit(job: BackendJob): Promise<{ readonly externalId: string }>;
  /** Stops a job. Cancelling a finished or unknown job is not an error. */
  cancel(externalId: string): Promise<void>;
  /** Current state of the given jobs; unknown ids are left out of the answer. */
  poll(externalIds: readonly string[]): Promise<readonly BackendStatus[]>;
  /** Throws unless the backend answers: asked when it runs none of Suanli's jobs (site health). */
  ping?(): Promise<void>;
  /**
   * Runs a job under a power cap per accelerator from now until `untilS` (a grid event): the
   * backend applies it (the sim backend slows the run by `throughput`; Slurm records it on the job
   * for the site's agent that sets the devices' power limits). Absent: the backend cannot cap, and
   * a plan's caps there are carried out as pauses.
   */
  powerCap?(externalId: string, cap: PowerCap): Promise<void>;
}

/** A power cap on a running job: per accelerator, until when, and the share of its speed it keeps. */
export interface PowerCap {
  readonly capW: number;
  readonly untilS: number;
  readonly throughput: number;
}

export interface BackendJob {
  readonly jobId: string;
  /**
   * Which run of the job this is: 1, then one more after each preemption. Submission is idempotent
   * per job and attempt: a job placed again after a preemption is a new run, never the stopped one.
   */
  readonly attempt?: number;
  readonly name: string;
  readonly tenant: string;
  readonly siteId: string;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  /**
   * On a pool with a node size: the accelerators the engine placed on each node it chose (the
   * backend asks for as many nodes, each with the largest of these).
   */
  readonly perNode?: readonly number[];
  /** Estimated run time; the backend's time limit is derived from it. */
  readonly durationS: number;
  /** Time to stage input data before the run can start. */
  readonly stageS: number;
}

export type BackendState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface BackendStatus {
  readonly externalId: string;
  readonly state: BackendState;
  readonly startedAtS?: number;
  readonly endedAtS?: number;
  readonly exitCode?: number;
  readonly message?: string;
  /** Why a failed run failed, when the backend can tell (a node went down, out of memory…); a non-zero exit alone is a user error. */
  readonly failureClass?: FailureClass;
}

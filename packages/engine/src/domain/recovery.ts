/**
 * Why a run ended without finishing, each with a stable code: what retry policies name, what the
 * audit log records, what the simulator's failure model draws.
 */
export const FAILURE_CLASSES = [
  'node-failure',
  'accelerator-error',
  'preemption',
  'out-of-memory',
  'user-error',
  'backend-unreachable',
  'site-outage',
  'cancelled',
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Failures of the infrastructure, not of the program: retried by default. */
export const INFRASTRUCTURE_FAILURES: readonly FailureClass[] = [
  'node-failure',
  'accelerator-error',
  'backend-unreachable',
  'site-outage',
];

export const FAILOVER = ['same-site', 'any-site', 'never'] as const;
/** Where a retried job may run: only where it ran, anywhere, or nowhere (not retried after a site's failure). */
export type Failover = (typeof FAILOVER)[number];

/** What to do when a run of the job fails. */
export interface RecoveryPolicy {
  /** Runs after the first; 0: never retried. */
  readonly maxRestarts: number;
  /** Failure classes that are retried. */
  readonly retryOn: readonly FailureClass[];
  /** Exit codes of the program that are retried too (a user error otherwise is not). */
  readonly retryExitCodes: readonly number[];
  readonly failover: Failover;
  /** Wait before the first retry; doubled for each further one. */
  readonly backoffS: number;
}

/** Where and how often the job writes its state, so a restart resumes from the last one. */
export interface CheckpointPolicy {
  readonly intervalS: number;
  /** Size of one checkpoint: staged over the WAN when the job restarts at another site. */
  readonly sizeGb: number;
  /**
   * The site checkpoints are written to (its storage); absent: the site the job runs at, where a
   * checkpoint is lost for a restart elsewhere while that site is out of service.
   */
  readonly siteId?: string;
}

/** A run that ended without finishing, as a backend (or the simulator's failure model) reports it. */
export interface Failure {
  readonly failureClass: FailureClass;
  readonly exitCode?: number;
  /** The site the run was at. */
  readonly siteId: string;
  /** How long the run ran (seconds of work on its accelerators). */
  readonly ranS: number;
}

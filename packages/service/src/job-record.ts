import { type Explanation, type FailureClass, type Job, type Placement, withCheckpointData } from '@suanli/engine';
import type { JobSpec } from './job-spec.ts';

/**
 * The life of a job in Suanli:
 *
 *   pending ──place──▶ scheduled ──backend starts──▶ running ──▶ succeeded | failed
 *      │                   │                           │
 *      └──────cancel───────┴───────────cancel──────────┴──▶ cancelled
 *
 * `pending`: accepted and durable, waiting for a placement. `scheduled`: placed and handed to the
 * site's backend, not yet started there.
 */
export const JOB_STATES = ['pending', 'scheduled', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const ACTIVE_STATES: readonly JobState[] = ['scheduled', 'running'];
export const FINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export interface JobRecord {
  readonly id: string;
  readonly state: JobState;
  readonly spec: JobSpec;
  readonly submittedAtS: number;
  readonly updatedAtS: number;
  readonly placement?: Placement;
  /** The latest explanation: of the placement, or of why the job is still waiting. */
  readonly explanation?: Explanation;
  readonly backend?: string;
  readonly externalId?: string;
  /** When its current placement was decided (a placed job holds its accelerators from then). */
  readonly placedAtS?: number;
  /** How many times it was placed: its current run is this attempt (a preemption ends one). */
  readonly attempt?: number;
  readonly startedAtS?: number;
  readonly endedAtS?: number;
  readonly exitCode?: number;
  readonly message?: string;
  /** Accelerator-seconds of service attained in earlier runs (before a preemption). */
  readonly attainedS?: number;
  /** Seconds of its work done in earlier runs, on its first accelerator choice. */
  readonly doneS?: number;
  /** Retries after failed runs so far (its recovery policy bounds them). */
  readonly restarts?: number;
  /** A retried job is not placed before this (the back-off). */
  readonly notBeforeS?: number;
  /** Where a retried job may run (its policy keeps it at the site that failed). */
  readonly retrySites?: readonly string[];
  /** Where its last checkpoint is (a failed run's site): a restart elsewhere stages it. */
  readonly checkpointSiteId?: string;
  /** Its failed runs, oldest first: where, why, and what they cost. */
  readonly failures?: readonly FailedRun[];
  /** A replica of an online service: the service, the demand region it serves, and whether it is guaranteed. */
  readonly replicaOf?: { readonly serviceId: string; readonly regionId: string; readonly guaranteed: boolean };
  /** An online service: the load its users send now, per region (requests a second), when observed. */
  readonly observedLoad?: Readonly<Record<string, number>>;
  /** An online service: its requests so far (as its curves and observed load say) and those within its SLO. */
  readonly slo?: { readonly requests: number; readonly withinSlo: number };
  /** Running under a grid event's power cap: per accelerator, from when until when. */
  readonly gridCap?: {
    readonly eventId: string;
    readonly capW: number;
    readonly fromS: number;
    readonly untilS: number;
  };
}

/** A run of a job that failed, as its record keeps it (and `suanli job ID` shows it). */
export interface FailedRun {
  readonly attempt: number;
  readonly siteId: string;
  readonly poolId: string;
  readonly failureClass: FailureClass;
  readonly exitCode?: number;
  readonly atS: number;
  /** Seconds of work it ran, kept up to the last checkpoint, and lost. */
  readonly ranS: number;
  readonly keptS: number;
  readonly lostS: number;
  /** What followed: a retry (and when), or the end of the job. */
  readonly outcome: string;
  /** The run as its backend knows it, when it was cut off by an outage and may still be running there. */
  readonly backend?: string;
  readonly externalId?: string;
  /**
   * `pending`: the run may still be running at a site out of service; it is cancelled when its
   * backend answers again (`done`). A job never runs two attempts at once for long.
   */
  readonly fence?: 'pending' | 'done';
}

/**
 * The engine's view of a stored job: what is left of its estimate (after the work done before a
 * preemption) and the service it attained, as the simulator keeps them.
 */
export function toEngineJob(r: JobRecord): Job {
  const doneS = r.doneS ?? 0;
  // A retry of a failed run: a placement elsewhere is a failover, and its explanation says so.
  const last = r.failures?.at(-1);
  const job: Job = {
    ...r.spec,
    id: r.id,
    submittedAtS: r.submittedAtS,
    ...(doneS > 0 ? { durationS: Math.max(1, r.spec.durationS - doneS) } : {}),
    ...((r.attainedS ?? 0) > 0 ? { attainedS: r.attainedS } : {}),
    ...(r.state === 'pending' && r.notBeforeS !== undefined ? { notBeforeS: r.notBeforeS } : {}),
    ...(r.retrySites ? { sites: r.retrySites } : {}),
    ...(r.state === 'pending' && last && last.attempt === r.attempt
      ? { failedAt: { siteId: last.siteId, failureClass: last.failureClass } }
      : {}),
  };
  return doneS > 0 ? withCheckpointData(job, r.checkpointSiteId) : job;
}

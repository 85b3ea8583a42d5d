import type { Explanation, Job, Placement } from '@suanli/engine';
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
}

/**
 * The engine's view of a stored job: what is left of its estimate (after the work done before a
 * preemption) and the service it attained, as the simulator keeps them.
 */
export function toEngineJob(r: JobRecord): Job {
  const doneS = r.doneS ?? 0;
  return {
    ...r.spec,
    id: r.id,
    submittedAtS: r.submittedAtS,
    ...(doneS > 0 ? { durationS: Math.max(1, r.spec.durationS - doneS) } : {}),
    ...((r.attainedS ?? 0) > 0 ? { attainedS: r.attainedS } : {}),
  };
}

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
  readonly startedAtS?: number;
  readonly endedAtS?: number;
  readonly exitCode?: number;
  readonly message?: string;
}

/** The engine's view of a stored job. */
export function toEngineJob(r: JobRecord): Job {
  return { ...r.spec, id: r.id, submittedAtS: r.submittedAtS };
}

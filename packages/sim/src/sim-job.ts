import type { Job } from '@suanli/engine';

/**
 * One job of a simulated workload. `job.durationS` is its true run time on its first accelerator
 * choice (the trace's figure); what the scheduler is told depends on the run's estimate mode.
 */
export interface SimJob {
  readonly job: Job;
  readonly sector: string;
  /** Who submitted it, for history-based estimates; the trace's user, else its queue or tenant. */
  readonly user: string;
}

/** What the scheduler is told of a job's run time. */
export type EstimateMode =
  /** The true run time (SJF and SRTF as published assume it). */
  | 'oracle'
  /** The mean true run time of the user's last ten finished jobs; of all finished jobs before any. */
  | 'history';

export const ESTIMATE_MODES: readonly EstimateMode[] = ['oracle', 'history'];

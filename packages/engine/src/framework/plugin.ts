import type { Job, ObjectiveWeights } from '../domain/job.ts';
import type { Candidate } from './candidate.ts';
import type { Cycle } from './cycle.ts';
import type { PreparedSite } from './prepared-network.ts';
import type { FilterStatus } from './status.ts';

/**
 * Extension points of the scheduling framework. Each plug-in implements one small interface and is
 * named by a string literal that is also its key in profiles and its folder under `plugins/`.
 *
 * Plug-ins are pure: they read the job, the candidate and the cycle, and return a value. They never
 * mutate the cycle (only the runner does, through `Cycle.take`) and never throw for an expected
 * "no": that is a `Rejection`. A throw is a bug and aborts the cycle.
 */
export interface Plugin {
  readonly name: string;
}

/** Orders the queue: negative when `a` goes first. Must be a total order (break ties by id). */
export interface QueueSortPlugin extends Plugin {
  compare(a: Job, b: Job): number;
}

/**
 * Rejects a whole site before any of its pools is looked at (wrong accelerator types, jurisdiction,
 * data residency). Called once per job and site. Returns `null` to let the site through.
 */
export interface SiteFilterPlugin extends Plugin {
  filterSite(cycle: Cycle, job: Job, site: PreparedSite): FilterStatus;
}

/**
 * Rejects one candidate pool (capacity, budget, deadline). Called for every candidate of every site
 * that passed the site filters, in profile order; the first rejection ends the candidate.
 * `candidate.estimate()` is computed on first use and shared with later plug-ins.
 */
export interface PoolFilterPlugin extends Plugin {
  filterPool(cycle: Cycle, job: Job, candidate: Candidate): FilterStatus;
}

/**
 * Measures a feasible candidate on one objective; lower is better, and measures are ≥ 0. The
 * runner turns each into an integer 0..100, the ratio to the best candidate's measure (best =
 * 100, twice the best = 50), and weights the objectives with the job's objective weights.
 */
export interface ScorePlugin extends Plugin {
  readonly objective: keyof ObjectiveWeights;
  measure(cycle: Cycle, job: Job, candidate: Candidate): number;
}

/** Which plug-ins run, in which order. */
export interface Profile {
  readonly name: string;
  readonly queueSort: QueueSortPlugin;
  readonly siteFilters: readonly SiteFilterPlugin[];
  readonly poolFilters: readonly PoolFilterPlugin[];
  readonly scores: readonly ScorePlugin[];
}

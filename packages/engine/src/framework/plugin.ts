import type { Job } from '../domain/job.ts';
import type { Preemption } from '../domain/placement.ts';
import type { Cycle, QueueRank } from './cycle.ts';
import type { JobEvaluation, Option } from './option.ts';
import type { PreparedSite } from './prepared-network.ts';
import type { FilterStatus, PermitStatus } from './status.ts';

/**
 * The extension points of the scheduling framework, after the Kubernetes scheduling framework.
 * Each is one small interface; a plug-in implements one or more and is named by a string literal
 * that is also its key in profiles and its folder under `plugins/`.
 *
 *   queue-sort → pre-filter → filter (site, then option) → [post-filter: preemption]
 *              → score (+ normalise) → reserve → permit → (bind: the service's Backend.submit)
 *
 * Plug-ins are pure: they read the job, the option and the cycle, and return a value. They do not
 * change the cycle except through their own state (`cycle.state(name)`) in reserve/unreserve, and
 * never throw for an expected "no": that is a `Rejection`. A throw is caught by the runner, which
 * records it as an `error` against the plug-in; the job waits.
 */
export interface Plugin {
  readonly name: string;
}

/**
 * Orders the queue: negative when `a` goes first. Must be a total order (break ties by id). It may
 * read the cycle (shares change as jobs are placed): the runner asks again after every placement.
 */
export interface QueueSortPlugin extends Plugin {
  /** True when the order depends on what is placed during the cycle (fair share). */
  readonly dynamic: boolean;
  compare(a: Job, b: Job, cycle: Cycle): number;
  /** For orders that running jobs take part in (see `QueueRank`). */
  readonly rank?: QueueRank;
}

/**
 * Checks the job as a whole before any site is looked at (its queue has quota at all, …) and may
 * prepare per-cycle state. A rejection ends the evaluation of the job.
 */
export interface PreFilterPlugin extends Plugin {
  preFilter(cycle: Cycle, job: Job): FilterStatus;
}

/**
 * Rejects a whole site before any of its pools is looked at (accelerator types, jurisdiction, data
 * residency). Called once per job and site.
 */
export interface SiteFilterPlugin extends Plugin {
  filterSite(cycle: Cycle, job: Job, site: PreparedSite): FilterStatus;
}

/**
 * Rejects one option: a pool, an accelerator choice and a start time (capacity, quota, power,
 * deadline, budget). Called for the earliest option of every candidate pool, and for every later
 * start a flexible job may take. `option.estimate()` is computed on first use and shared.
 */
export interface FilterPlugin extends Plugin {
  filter(cycle: Cycle, job: Job, option: Option): FilterStatus;
}

/** What a post-filter proposes when no option can start now: stop these jobs, then place. */
export interface Nomination {
  readonly poolId: string;
  readonly victims: readonly Preemption[];
}

/**
 * Runs when no option can start now, to make one (preemption). It may try changes on the cycle
 * inside a plan and must discard them; the runner applies the nomination it returns.
 */
export interface PostFilterPlugin extends Plugin {
  postFilter(cycle: Cycle, job: Job, evaluation: JobEvaluation): Nomination | null;
  /**
   * A cheap check: false when this post-filter cannot make room for the job in this cycle whatever
   * the evaluation says (no running job it may stop). The runner then may skip the full
   * evaluation of a job that cannot start now. Absent means "may act".
   */
  mayAct?(cycle: Cycle, job: Job): boolean;
}

/**
 * Measures a feasible option on one objective; lower is better and measures are ≥ 0. The runner
 * turns each measure into an integer 0..100, the ratio to the best option's measure (best = 100,
 * twice the best = 50), unless the plug-in normalises itself, and weights the objectives with the
 * job's objective weights times the profile's plug-in weight.
 */
export interface ScorePlugin extends Plugin {
  readonly objective: 'cost' | 'carbon' | 'time';
  measure(cycle: Cycle, job: Job, option: Option): number;
  /** Turns the measures of all feasible options into scores 0..100 (100 = best). */
  normalize?(measures: Float64Array, scores: Int32Array): void;
}

/**
 * Books what a placement uses in the plug-in's own state (quota, shares). `unreserve` undoes it:
 * it must be idempotent and may be called even if `reserve` was not, for the same placement.
 */
export interface ReservePlugin extends Plugin {
  reserve(cycle: Cycle, job: Job, option: Option): FilterStatus;
  unreserve(cycle: Cycle, job: Job, option: Option): void;
}

/** The last word before a placement is committed: allow (null), reject, or hold it (`wait`). */
export interface PermitPlugin extends Plugin {
  permit(cycle: Cycle, job: Job, option: Option): PermitStatus;
}

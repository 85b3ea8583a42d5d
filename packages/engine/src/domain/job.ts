import type { Dataset } from './dataset.ts';
import type { CheckpointPolicy, FailureClass, RecoveryPolicy } from './recovery.ts';
import type { ServiceSection } from './service.ts';
import type { Sector } from './tenant.ts';

export type JobKind = 'train' | 'finetune' | 'batch-infer' | 'serve';

export const JOB_KINDS: readonly JobKind[] = ['train', 'finetune', 'batch-infer', 'serve'];

/** One acceptable accelerator choice: `perMember` devices of `accelerator` for each gang member. */
export interface AcceleratorOption {
  readonly accelerator: string;
  readonly perMember: number;
}

/** Relative weights of the three objectives; only their ratios matter. */
export interface ObjectiveWeights {
  readonly cost: number;
  readonly carbon: number;
  readonly time: number;
}

/** A workload as the engine sees it: validated, with units in the field names. */
/**
 * Bought on the market: a spot job runs only on pools with an open spot offer, a contract job only
 * on its contract's pool, each at that price (CNY per accelerator-hour) instead of the pool's list price.
 */
export interface MarketTerms {
  readonly kind: 'spot' | 'contract';
  /** The contract's id (for a contract job). */
  readonly id?: string;
  /** The pools it may run on and the price at each. */
  readonly poolPrices: Readonly<Record<string, number>>;
}

export interface Job {
  readonly id: string;
  readonly name: string;
  readonly tenant: string;
  readonly kind: JobKind;
  /**
   * Acceptable accelerator choices, in the user's order of preference. `durationS` is the estimate
   * on the first; on the others it scales with throughput (models/equivalence.ts).
   */
  readonly options: readonly AcceleratorOption[];
  /** Members that must be placed together, all or none. */
  readonly gang: number;
  /** Estimated run time. */
  readonly durationS: number;
  readonly deadlineS?: number;
  readonly datasets: readonly Dataset[];
  readonly objective: ObjectiveWeights;
  readonly budgetCny?: number;
  readonly priority: number;
  /** Whether a higher-priority job (or a queue reclaiming its quota) may stop it. */
  readonly preemptible: boolean;
  readonly submittedAtS: number;
  /** Where the job's owner is: distance-based policies measure from here. */
  readonly originSiteId?: string;
  /** Sites the job may run at; any when absent. */
  readonly sites?: readonly string[];
  /** Accelerator-seconds of service the job already had before it was stopped (least-attained-service policies). */
  readonly attainedS?: number;
  /** The registry model the job trains, fine-tunes or serves. */
  readonly model?: string;
  /** Who the job's service is for: the public in the mainland, internal use, or research. */
  readonly exposure?: Exposure;
  /** The sector a serving job serves. */
  readonly servesSector?: Sector;
  /** A generative service with the labeling middleware (explicit and implicit AIGC labels) on. */
  readonly labeling?: boolean;
  /** A medical service whose outputs a physician signs off (no automatic prescriptions). */
  readonly physicianSignOff?: boolean;
  /** What to do when a run fails; the kind's default (DEFAULT_RECOVERY) when absent. */
  readonly recovery?: RecoveryPolicy;
  /** How often it checkpoints: a restart resumes from the last checkpoint. */
  readonly checkpoint?: CheckpointPolicy;
  /** Not placed before this time: a retry's back-off. */
  readonly notBeforeS?: number;
  /**
   * Starts within this many seconds of a decision or not at all (a serving replica: a later start
   * is worth nothing); with no such option, preemption may make room.
   */
  readonly startWithinS?: number;
  /**
   * Fits its cluster queue's nominal quota, borrowing nothing from the cohort (a guaranteed serving
   * replica: what it holds must not be reclaimed).
   */
  readonly withinNominal?: boolean;
  /** An online service (kind `serve`): its replicas are placed as jobs of their own; this job is not. */
  readonly service?: ServiceSection;
  /** Bought on the market (spot or a reserved contract); the list price of any pool when absent. */
  readonly market?: MarketTerms;
  /** Where its last run failed, and how (a retry): a placement elsewhere is a failover, and says why. */
  readonly failedAt?: { readonly siteId: string; readonly failureClass: FailureClass };
  /** Power cap per accelerator (W): the job runs slower and draws less (models/power-curve.ts). */
  readonly powerCapW?: number;
}

export type Exposure = 'public-mainland' | 'internal' | 'research';

export const EXPOSURES: readonly Exposure[] = ['public-mainland', 'internal', 'research'];

/** Accelerators a job needs in total with one option. */
export function acceleratorsNeeded(job: Job, option: AcceleratorOption): number {
  return option.perMember * job.gang;
}

import type { NodeShare } from './snapshot.ts';

/**
 * Which carbon figure an estimate used: the grid's location-based intensity (hourly where the site
 * has a profile), or the market-based figure that counts the site's contracted green power as zero.
 */
export type CarbonSignal = 'location-based' | 'market-based';

/** What a placement is expected to cost, use and emit; every field has its unit in its name. */
export interface Estimate {
  readonly startS: number;
  readonly endS: number;
  /** Run time on the chosen accelerators (scaled from the job's estimate by throughput). */
  readonly durationS: number;
  /** Time until enough accelerators (and power) are free in the pool. */
  readonly waitS: number;
  /** Time to stage the job's input data at the site (in parallel with the wait). */
  readonly transferS: number;
  readonly transferGb: number;
  /** How much later than its earliest possible start the job starts, to run in cheaper or greener hours. */
  readonly shiftS: number;
  /** Facility power while running: IT × PUE. */
  readonly powerKw: number;
  /** Facility energy: IT energy × PUE. */
  readonly energyKwh: number;
  readonly computeCostCny: number;
  readonly energyCostCny: number;
  readonly transferCostCny: number;
  readonly costCny: number;
  readonly carbonKg: number;
  readonly carbonSignal: CarbonSignal;
}

/** Data staged for a run: how many GB come from which site (over the link to the run's site). */
export interface StagedTransfer {
  readonly fromSiteId: string;
  readonly gb: number;
}

export interface Placement {
  readonly siteId: string;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  readonly estimate: Estimate;
  /** The data staged for it, per source site; absent when it stages none. */
  readonly transfers?: readonly StagedTransfer[];
  /** On a pool with a node size, for a start now: which nodes hold the accelerators. */
  readonly nodes?: readonly NodeShare[];
}

/** Normalised scores 0..100 (100 = best among the candidates) per objective. */
export interface ObjectiveScores {
  readonly cost: number;
  readonly carbon: number;
  readonly time: number;
}

/** Why a site was not chosen, or how it scored. */
export type SiteVerdict =
  | {
      readonly siteId: string;
      readonly outcome: 'filtered';
      /** The plug-in that rejected the site (or its last candidate pool). */
      readonly plugin: string;
      readonly code: 'unschedulable' | 'unresolvable' | 'error';
      readonly reason: string;
    }
  | {
      readonly siteId: string;
      readonly outcome: 'scored';
      readonly poolId: string;
      readonly accelerator: string;
      readonly count: number;
      readonly estimate: Estimate;
      readonly scores: ObjectiveScores;
      /** Weighted total 0..100. */
      readonly total: number;
      /** 1 = best. */
      readonly rank: number;
    };

export interface Explanation {
  readonly jobId: string;
  readonly atS: number;
  readonly profile: string;
  readonly summary: string;
  /** Job-level findings: quota, preemption, reservation, time shift, optimizer. */
  readonly notes: readonly string[];
  /** Every site of the network (or the best ones when explanations are brief), scored ones first by rank, then filtered ones by id. */
  readonly verdicts: readonly SiteVerdict[];
  /** Sites left out of `verdicts` when explanations are brief, counted by the plug-in that filtered them. */
  readonly omitted?: Readonly<Record<string, number>>;
}

/** A running job stopped to make room, and why. */
export interface Preemption {
  readonly jobId: string;
  readonly poolId: string;
  readonly count: number;
  readonly reason: string;
}

/** The engine's answer for one queued job. */
export type Decision =
  | {
      /** Start now. */
      readonly kind: 'place';
      readonly jobId: string;
      readonly placement: Placement;
      /** Jobs to stop first, to make room; empty in most cycles. */
      readonly preempts: readonly Preemption[];
      readonly explanation: Explanation;
    }
  | {
      /**
       * Start later at a planned time: the capacity is held in this cycle's plan, so jobs decided
       * after it may not delay it (backfill), and a flexible job may wait for cheaper or greener hours.
       */
      readonly kind: 'reserve';
      readonly jobId: string;
      readonly placement: Placement;
      readonly reason: string;
      readonly explanation: Explanation;
    }
  | {
      readonly kind: 'wait';
      readonly jobId: string;
      /** True when no site could ever run the job as specified. */
      readonly unresolvable: boolean;
      readonly reason: string;
      /** Start of the best option, when one exists but cannot start now (and is not reserved). */
      readonly expectedStartS?: number;
      /** The pool of that best option and the accelerators it needs there: what the job waits for. */
      readonly awaits?: { readonly poolId: string; readonly count: number };
      /**
       * Set when the job waits by choice: its best option starts later because those hours are
       * cheaper or greener, not because anything is busy (time shifting). Freed accelerators do not
       * make an earlier start better, so the scheduling queue looks at the job again at this time.
       */
      readonly chosenStartS?: number;
      readonly explanation: Explanation;
    };

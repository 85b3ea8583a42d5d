/** What a placement is expected to cost, use and emit; every field has its unit in its name. */
export interface Estimate {
  readonly startS: number;
  readonly endS: number;
  readonly durationS: number;
  /** Time until enough accelerators are free in the pool. */
  readonly waitS: number;
  /** Time to stage the job's input data at the site (in parallel with the wait). */
  readonly transferS: number;
  readonly transferGb: number;
  /** Facility energy: IT energy × PUE. */
  readonly energyKwh: number;
  readonly computeCostCny: number;
  readonly energyCostCny: number;
  readonly transferCostCny: number;
  readonly costCny: number;
  readonly carbonKg: number;
  /** Which carbon signal `carbonKg` used. */
  readonly carbonSignal: 'grid-average';
}

export interface Placement {
  readonly siteId: string;
  readonly poolId: string;
  readonly accelerator: string;
  readonly count: number;
  readonly estimate: Estimate;
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
      readonly code: 'unschedulable' | 'unresolvable';
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
  /** Every site of the network, scored ones first by rank, then filtered ones by id. */
  readonly verdicts: readonly SiteVerdict[];
}

/** The engine's answer for one queued job. */
export type Decision =
  | {
      readonly kind: 'place';
      readonly jobId: string;
      readonly placement: Placement;
      readonly explanation: Explanation;
    }
  | {
      readonly kind: 'wait';
      readonly jobId: string;
      /** True when no site could ever run the job as specified. */
      readonly unresolvable: boolean;
      readonly reason: string;
      /** Start of the best option, when one exists but cannot start now. */
      readonly expectedStartS?: number;
      readonly explanation: Explanation;
    };

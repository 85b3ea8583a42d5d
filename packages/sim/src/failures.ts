import {
  afterFailure,
  type Failure,
  type FailureClass,
  type Job,
  type RecoveryDecision,
  type Rng,
  recoveryOf,
  seededRng,
} from '@suanli/engine';

/** What follows a failure in a run: nothing (the job fails, as before recovery existed), a restart where it ran, or its policy. */
export const RECOVERY_MODES = ['none', 'in-place', 'policy'] as const;
export type RecoveryMode = (typeof RECOVERY_MODES)[number];

/** A whole site out of service from `startS` (seconds after the first event) for `durationS`. */
export interface SiteOutageSpec {
  readonly siteId: string;
  readonly startS: number;
  readonly durationS: number;
}

/** A wide-area link cut from `startS` (seconds after the first event) for `durationS`. */
export interface LinkCutSpec {
  readonly from: string;
  readonly to: string;
  readonly startS: number;
  readonly durationS: number;
}

/** The failure model of a scenario: seeded, so the same scenario fails the same runs at the same times. */
export interface FailureModel {
  /**
   * Mean hours between failures of one accelerator (a run of n accelerators fails n times as
   * often). Llama 3's pre-training: 466 interruptions in 54 days on 16,384 GPUs, about 45,600 h.
   * Absent: runs fail only with their sites.
   */
  readonly acceleratorMtbfH?: number;
  /** Sites out of service at given times. */
  readonly outages?: readonly SiteOutageSpec[];
  /** Sites out of service at random: each site this many times a year, for `durationS` each. */
  readonly outageRate?: { readonly perSiteYear: number; readonly durationS: number };
  /** Links cut at given times. */
  readonly linkCuts?: readonly LinkCutSpec[];
  /** Share of failures that take a node (the rest are one accelerator's error); default 0.5. */
  readonly nodeShare?: number;
  readonly seed: number;
  readonly recovery: RecoveryMode;
}

/** Failures, restarts and what they cost, over a run. */
export interface RecoverySummary {
  readonly mode: RecoveryMode;
  readonly failures: number;
  readonly restarts: number;
  /** Restarts placed at another site than the failed run's. */
  readonly failovers: number;
  readonly failedForGood: number;
  /** Accelerator-hours of work lost (since the last checkpoint) and run again. */
  readonly lostAcceleratorHours: number;
  /** Effective training time ratio: productive ÷ allocated accelerator-time of training and fine-tuning jobs. */
  readonly ettr: number;
  /** Sites out of service and links cut during the run, and the hours sites were out. */
  readonly siteOutages: number;
  readonly siteOutageHours: number;
  readonly linkCuts: number;
}

/** Draws when runs fail, and keeps the tally. */
export class Failures {
  readonly model: FailureModel;
  private readonly rng: Rng;
  failures = 0;
  restarts = 0;
  failovers = 0;
  failedForGood = 0;
  lostS = 0;
  trainAllocatedS = 0;
  trainLostS = 0;
  siteOutages = 0;
  siteOutageS = 0;
  linkCuts = 0;
  /** Draws of site outages apart from the runs' draws: adding outages changes no run's failure. */
  private readonly outageRng: Rng;

  constructor(model: FailureModel) {
    if (model.acceleratorMtbfH !== undefined && !(model.acceleratorMtbfH > 0))
      throw new Error(`failure model: acceleratorMtbfH must be > 0, got ${model.acceleratorMtbfH}`);
    this.model = model;
    this.rng = seededRng(model.seed);
    this.outageRng = seededRng(model.seed ^ 0x5a5a5a5a);
  }

  /** When a run of `count` accelerators from `startS` fails before `endS` (and how), or undefined. */
  draw(count: number, startS: number, endS: number): { atS: number; failureClass: FailureClass } | undefined {
    if (this.model.acceleratorMtbfH === undefined) return undefined;
    const rate = count / (this.model.acceleratorMtbfH * 3600);
    const u = this.rng.next();
    const kind = this.rng.next();
    if (!(rate > 0)) return undefined;
    const atS = startS - Math.log(1 - u) / rate;
    if (atS >= endS) return undefined;
    return { atS, failureClass: kind < (this.model.nodeShare ?? 0.5) ? 'node-failure' : 'accelerator-error' };
  }

  /** When a site's next random outage starts after `afterS`; undefined without a rate. */
  nextOutageS(afterS: number): number | undefined {
    const r = this.model.outageRate;
    if (!r || !(r.perSiteYear > 0)) return undefined;
    const rate = r.perSiteYear / (365 * 86_400);
    return afterS - Math.log(1 - this.outageRng.next()) / rate;
  }

  /** The decision of this run's mode: the engine's recovery (as live), in place, or none. */
  decide(job: Job, failure: Failure, restarts: number, nowS: number): RecoveryDecision {
    this.failures++;
    if (this.model.recovery === 'none') {
      return { retry: false, lostS: failure.ranS, reason: 'no recovery: the job fails' };
    }
    const subject =
      this.model.recovery === 'in-place'
        ? { ...job, recovery: { ...recoveryOf(job), failover: 'same-site' as const } }
        : job;
    return afterFailure(subject, failure, restarts, nowS);
  }

  /** Accelerator-seconds a run of the job held. */
  allocated(job: Job, acceleratorS: number): void {
    if (job.kind === 'train' || job.kind === 'finetune') this.trainAllocatedS += acceleratorS;
  }

  /** Accelerator-seconds of work lost (since the last checkpoint, restart time, a job failed for good). */
  lost(job: Job, acceleratorS: number): void {
    this.lostS += acceleratorS;
    if (job.kind === 'train' || job.kind === 'finetune') this.trainLostS += acceleratorS;
  }

  summary(): RecoverySummary {
    return {
      mode: this.model.recovery,
      failures: this.failures,
      restarts: this.restarts,
      failovers: this.failovers,
      failedForGood: this.failedForGood,
      lostAcceleratorHours: this.lostS / 3600,
      ettr: this.trainAllocatedS > 0 ? 1 - this.trainLostS / this.trainAllocatedS : 1,
      siteOutages: this.siteOutages,
      siteOutageHours: this.siteOutageS / 3600,
      linkCuts: this.linkCuts,
    };
  }
}

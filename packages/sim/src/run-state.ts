import type { Allocation, FailureClass, Job, NodeShare, Placement } from '@suanli/engine';
import type { GridEventInput } from './run-power-input.ts';
import type { SimJob } from './sim-job.ts';

// A job's state in a simulated run, and the run's events.

/** Event priorities at the same time: ends free capacity before arrivals, decisions come last. */
export const END = 0;
export const ARRIVAL = 1;
export const CYCLE = 2;

export type Event =
  | { kind: 'end'; live: Live; token: number }
  | { kind: 'fail'; live: Live; token: number; failureClass: FailureClass }
  | { kind: 'arrival'; sim: SimJob }
  | { kind: 'cycle' }
  /** The services' autoscaler runs and their requests are measured. */
  | { kind: 'scale' }
  /** A site goes out of service for `durationS` (`random`: drawn from the outage rate, and the next one is drawn then). */
  | { kind: 'site-out'; siteId: string; durationS: number; random: boolean }
  | { kind: 'site-back'; siteId: string; sinceS: number }
  | { kind: 'link-cut'; from: string; to: string; durationS: number }
  | { kind: 'link-back'; from: string; to: string }
  /** The grid asks for less power (a demand-response request), its window starts, its window ends. */
  | { kind: 'grid-issue'; input: GridEventInput }
  | { kind: 'grid-start'; id: string }
  | { kind: 'grid-end'; id: string };

/** A job's state in the run. */
export interface Live {
  readonly sim: SimJob;
  /** True remaining run time on the first accelerator choice. */
  remainingS: number;
  /** Service attained so far, accelerator-seconds (least-attained-service policies read it). */
  attainedS: number;
  /** The estimate given at submission, on the first choice; the remaining estimate is this minus the work done. */
  readonly estimateS: number;
  doneS: number;
  firstStartS: number;
  computeS: number;
  acceleratorS: number;
  preemptions: number;
  /** Retries after failed runs, and the site of the last failed run (a failover starts elsewhere). */
  restarts: number;
  failedAt: { readonly siteId: string; readonly failureClass: FailureClass } | undefined;
  /** Sites the retry may run at (its policy keeps it where it failed), and when it may start. */
  retrySites: readonly string[] | undefined;
  notBeforeS: number | undefined;
  /** Accelerator-seconds of its work booked as lost so far. */
  lostAccS: number;
  /** Where its last checkpoint is (a failed run's site): a restart elsewhere stages it. */
  checkpointSiteId: string | undefined;
  /** The job as the engine sees it while queued. */
  queued: Job | undefined;
  run: Run | undefined;
}

export interface Run {
  readonly alloc: Allocation;
  readonly placement: Placement;
  readonly siteIndex: number;
  readonly computeStartS: number;
  readonly endS: number;
  /** Run time on the chosen accelerators per second on the first choice. */
  readonly scale: number;
  /** Restart time at the start of this run (after a preemption), before any progress. */
  readonly overheadS: number;
  /** The nodes it holds, on a pool with a node size. */
  readonly nodes: readonly NodeShare[] | undefined;
  readonly token: number;
}

/** A job as it arrives: nothing done, nothing attained. */
export function arrivedJob(sim: SimJob, estimateS: number): Live {
  return {
    sim,
    remainingS: sim.job.durationS,
    attainedS: 0,
    estimateS,
    doneS: 0,
    firstStartS: Number.NaN,
    computeS: 0,
    acceleratorS: 0,
    preemptions: 0,
    restarts: 0,
    failedAt: undefined,
    retrySites: undefined,
    notBeforeS: undefined,
    lostAccS: 0,
    checkpointSiteId: undefined,
    queued: undefined,
    run: undefined,
  };
}

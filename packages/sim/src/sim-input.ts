import type { DecideResult, FailureClass, Network, NetworkGauge, Profile, Solver } from '@suanli/engine';
import type { FailureModel } from './failures.ts';
import type { PowerInput } from './run-power-input.ts';
import type { ServingInput } from './run-services.ts';
import type { EstimateMode, SimJob } from './sim-job.ts';

/** What a simulated run takes: the network, the profile, the workload, and what else happens in it. */
export interface SimInput {
  readonly network: Network;
  readonly profile: Profile;
  /** The workload, in submit order. Read lazily, so it may be a generator of millions of jobs. */
  readonly jobs: Iterable<SimJob>;
  /** How many jobs `jobs` yields, when known (for progress). */
  readonly jobCount?: number;
  readonly estimates: EstimateMode;
  /** Seed of the engine's random source. */
  readonly seed: number;
  /**
   * Decision cadence: the engine decides at multiples of this (a scheduler's cycle period), for
   * all that happened since; 0 decides at every event time.
   */
  readonly cycleS: number;
  /** For profiles whose batch optimizer runs every cycle. */
  readonly solver?: Solver;
  /** Length of the time-series buckets (merged when there would be more than 1,000). */
  readonly bucketS?: number;
  /**
   * What a preemption costs: a stopped job resumes from its last checkpoint (taken every
   * `checkpointS` of run time; 0 = nothing is lost) and spends `restartS` loading it. Default: free.
   */
  readonly preemption?: { readonly checkpointS: number; readonly restartS: number };
  /** How long a job told to wait stays out of the cycles at most (SchedulingQueue). */
  readonly maxParkS?: number;
  /** Runs fail at random (seeded), and recover by the jobs' policies, in place, or not at all. */
  readonly failures?: FailureModel;
  /** Told every failed run (the differential test makes the live service's runs fail alike). */
  readonly onFailure?: (f: {
    readonly jobId: string;
    readonly atS: number;
    readonly failureClass: FailureClass;
  }) => void;
  /** Called now and then with how far the run is. */
  readonly onProgress?: (p: SimProgress) => void;
  /** Told every cycle's decisions (a decision log; the differential test compares it with the live service's). */
  readonly onCycle?: (nowS: number, result: DecideResult) => void;
  /** Told the engine's gauge after every cycle that ran (the live service records the same in its history). */
  readonly onGauge?: (gauge: NetworkGauge) => void;
  /** Online services alongside the jobs: their replicas scaled and placed through the same ledger. */
  readonly serving?: ServingInput;
  /** Meter and settle the runs as the live service does (the same books), with the network's programmes' vouchers. */
  readonly settlement?: boolean;
  /** Demand response: the grid's requests during the run, and the shedding order. */
  readonly power?: PowerInput;
}

export interface SimProgress {
  readonly simS: number;
  readonly arrived: number;
  readonly finished: number;
  readonly total?: number;
}

/** How long a run goes on with nothing running, no arrival left and no start. */
export const STALL_S = 7 * 86400;

import type { ObjectiveWeights } from '../domain/job.ts';
import type { CarbonSignal } from '../domain/placement.ts';
import type { ShedGroup } from '../power/grid-plan.ts';
import type {
  FilterPlugin,
  PermitPlugin,
  PostFilterPlugin,
  PreFilterPlugin,
  QueueSortPlugin,
  ReservePlugin,
  ScorePlugin,
  SiteFilterPlugin,
} from './plugin.ts';

/** Settings of the batch optimizer (optimizer/batch.ts). */
export interface OptimizerSettings {
  /** `every-cycle`: the optimizer plans each cycle's queue; `on-demand`: only when asked. */
  readonly mode: 'off' | 'on-demand' | 'every-cycle';
  /** Fewer pending jobs than this: the greedy pass alone decides. */
  readonly minJobs: number;
  /** At most this many jobs, in queue order, go into one model. */
  readonly maxJobs: number;
  /** The best options of each job (by the greedy scores) that become columns of the model. */
  readonly optionsPerJob: number;
  readonly timeLimitS: number;
  /** Stop when the solution is within this relative gap of the bound (percent). */
  readonly gapPct: number;
  /** Length of the model's time slots and how far ahead they reach. */
  readonly slotS: number;
  readonly horizonS: number;
}

/**
 * Which plug-ins run at which extension point, with their weights and the framework's settings.
 * Built from a profile spec by `buildProfile` (framework/registry.ts), which validates it.
 */
export interface Profile {
  readonly name: string;
  readonly queueSort: QueueSortPlugin;
  readonly preFilters: readonly PreFilterPlugin[];
  readonly siteFilters: readonly SiteFilterPlugin[];
  readonly filters: readonly FilterPlugin[];
  readonly postFilters: readonly PostFilterPlugin[];
  readonly scores: readonly { readonly plugin: ScorePlugin; readonly weight: number }[];
  readonly reserves: readonly ReservePlugin[];
  readonly permits: readonly PermitPlugin[];
  /** Which carbon figure estimates use. */
  readonly carbonSignal: CarbonSignal;
  /**
   * How much each objective counts for this operator, multiplying the job's own weights: a job
   * asking for { cost: 1, carbon: 1, time: 1 } under { cost: 2, carbon: 1, time: 2 } weighs 2 : 1 : 2.
   */
  readonly objectiveWeights: ObjectiveWeights;
  /** Backfill: how many waiting jobs per cycle get a start-time reservation that later jobs may not delay. */
  readonly reservations: number;
  /** How many queued jobs a cycle evaluates, in queue order (Slurm's default_queue_depth); the rest wait. */
  readonly queueDepth: number;
  /** Time shifting of flexible jobs (those with a deadline): how far ahead, in what steps; off when absent. */
  readonly timeShift?: { readonly horizonS: number; readonly stepS: number };
  /** `brief` keeps the five best sites and counts the others by plug-in (for the simulator). */
  readonly explain: 'full' | 'brief' | 'none';
  readonly optimizer: OptimizerSettings;
  /** Who gives power first when the grid asks for less (grid-event plans). */
  readonly shedOrder: readonly ShedGroup[];
}

import type { Network, Profile, ServiceSpec, Solver } from '@suanli/engine';
import type { FailureModel, RecoveryMode } from './failures.ts';
import type { SimSummary } from './metrics.ts';
import type { PowerInput } from './run-power-input.ts';
import type { ServingMode } from './run-services.ts';
import type { EstimateMode, SimJob } from './sim-job.ts';
import { type SimProgress, simulate } from './simulate.ts';

/** One run of a scenario: a policy on a network (the baseline or a what-if variant) with the workload. */
export interface RunPlan {
  readonly policy: string;
  readonly variant: string;
  readonly network: Network;
  readonly profile: Profile;
  readonly estimates: EstimateMode;
  /** The workload for this run's network (mapping depends on its tenants, types and sites). */
  readonly jobs: () => Iterable<SimJob>;
  readonly jobCount?: number;
  /** This run's decision cadence when its what-if sets one (else the scenario's). */
  readonly cycleS?: number;
  /** This run's recovery after failures when its what-if sets one (else the scenario's failure model's). */
  readonly recovery?: RecoveryMode;
  /** How this run provisions the scenario's services when its what-if says (else Suanli's autoscaler). */
  readonly serving?: ServingMode;
  /** The grid's requests in this run when its what-if gives its own (else the scenario's). */
  readonly power?: PowerInput;
}

/** A scenario ready to run: what the scenario file says, resolved. */
export interface ScenarioPlan {
  readonly name: string;
  readonly description?: string;
  readonly network: string;
  /** One line on the workload: `msft-itp-2021.csv.gz, 69,351 jobs, time × 1`. */
  readonly workload: string;
  readonly seed: number;
  readonly cycleS: number;
  readonly preemption: { readonly checkpointS: number; readonly restartS: number };
  readonly maxParkS?: number;
  /** Runs fail at random (seeded) and recover: every run of the scenario, with its own recovery if its what-if sets one. */
  readonly failures?: FailureModel;
  /** Online services beside the jobs, for `durationS` from the first arrival, scaled every `stepS`. */
  readonly serving?: { readonly services: readonly ServiceSpec[]; readonly durationS: number; readonly stepS: number };
  /** The grid's demand-response requests in every run (a what-if may give its own instead). */
  readonly power?: PowerInput;
  readonly runs: readonly RunPlan[];
}

export interface RunResult {
  readonly policy: string;
  readonly variant: string;
  /** The profile's own name. */
  readonly profile: string;
  readonly estimates: EstimateMode;
  readonly network: string;
  /** The decision cadence it ran at (0: at every event). */
  readonly cycleS: number;
  readonly summary: SimSummary;
}

/** What `suanli simulate` writes as JSON. It holds no wall-clock figures, so a scenario and seed give the same report every time. */
export interface ScenarioReport {
  readonly format: 'suanli-simulation-report/1';
  readonly scenario: {
    readonly name: string;
    readonly description?: string;
    readonly network: string;
    readonly workload: string;
    readonly seed: number;
    readonly cycleS: number;
    readonly preemption: { readonly checkpointS: number; readonly restartS: number };
    readonly failures?: FailureModel;
  };
  readonly runs: readonly RunResult[];
}

export interface RunOptions {
  readonly solver?: Solver;
  /** Progress of run `index` (0-based) of `count`. */
  readonly onProgress?: (index: number, count: number, run: RunPlan, p: SimProgress) => void;
  /** Called when a run ends. */
  readonly onRunEnd?: (index: number, count: number, result: RunResult) => void;
}

/** Runs every run of the plan, one after the other, and gathers the report. */
export function runScenario(plan: ScenarioPlan, options: RunOptions = {}): ScenarioReport {
  const runs: RunResult[] = [];
  plan.runs.forEach((run, index) => {
    const power = run.power ?? plan.power;
    const summary = simulate({
      network: run.network,
      profile: run.profile,
      jobs: run.jobs(),
      ...(run.jobCount !== undefined ? { jobCount: run.jobCount } : {}),
      estimates: run.estimates,
      seed: plan.seed,
      cycleS: run.cycleS ?? plan.cycleS,
      preemption: plan.preemption,
      ...(plan.maxParkS !== undefined ? { maxParkS: plan.maxParkS } : {}),
      ...(plan.failures ? { failures: { ...plan.failures, recovery: run.recovery ?? plan.failures.recovery } } : {}),
      ...(plan.serving ? { serving: { ...plan.serving, mode: run.serving ?? 'autoscale' } } : {}),
      ...(power ? { power } : {}),
      // Scenario runs are metered and settled as the live service would (bills and vouchers in what-ifs).
      settlement: true,
      ...(options.solver ? { solver: options.solver } : {}),
      ...(options.onProgress
        ? { onProgress: (p: SimProgress) => options.onProgress?.(index, plan.runs.length, run, p) }
        : {}),
    });
    const result: RunResult = {
      policy: run.policy,
      variant: run.variant,
      profile: run.profile.name,
      estimates: run.estimates,
      network: run.network.name,
      cycleS: run.cycleS ?? plan.cycleS,
      summary,
    };
    runs.push(result);
    options.onRunEnd?.(index, plan.runs.length, result);
  });
  return {
    format: 'suanli-simulation-report/1',
    scenario: {
      name: plan.name,
      ...(plan.description !== undefined ? { description: plan.description } : {}),
      network: plan.network,
      workload: plan.workload,
      seed: plan.seed,
      cycleS: plan.cycleS,
      preemption: plan.preemption,
      ...(plan.failures ? { failures: plan.failures } : {}),
    },
    runs,
  };
}

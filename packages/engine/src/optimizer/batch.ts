import type { Job } from '../domain/job.ts';
import type { Decision } from '../domain/placement.ts';
import type { Cycle } from '../framework/cycle.ts';
import { formatDuration, formatNumber } from '../framework/format.ts';
import type { JobEvaluation, Option } from '../framework/option.ts';
import type { OptimizerSettings, Profile } from '../framework/profile.ts';
import { evaluateJob } from '../framework/runner.ts';
import { explain, holdLater, place, startNow, summarise, toPlacement } from '../framework/schedule-one.ts';
import {
  type Column,
  classColumns,
  type Horizon,
  horizonOf,
  jobColumns,
  type PerJobModel,
  perJobModel,
  planCost,
} from './model.ts';
import { fixedCost, perJobLp, roundPlan } from './per-job.ts';
import { planByPrices } from './prices.ts';
import { evaluateShared } from './shapes.ts';
import type { Solver } from './solver.ts';

/** What the batch optimizer did in one cycle; every figure is the model's, in its own units. */
export interface OptimizerReport {
  readonly status: 'optimal' | 'within-gap' | 'time-limit' | 'fallback-greedy';
  /** Why the greedy plan was used instead, when it was. */
  readonly reason?: string;
  readonly jobs: number;
  /** Size of the per-job LP solved (small batches); for large ones, of the per-job model priced. */
  readonly columns: number;
  readonly rows: number;
  readonly nonzeros: number;
  /**
   * A lower bound on every plan of the per-job model: its LP optimum (or the MIP's proven bound, if
   * higher) for a small batch; for a large one, its Lagrangian bound at the prices reached, which
   * tends to the LP optimum. No plan of the model can do better.
   */
  readonly lpBound: number;
  readonly objective: number;
  /** (objective − bound) ÷ objective, in percent. */
  readonly gapPct: number;
  readonly assigned: number;
  /** Seconds in the LP and MIP solver (zero for a large batch: it is planned by prices, not solved). */
  readonly lpS: number;
  readonly mipS: number;
  /** For a large batch: its job classes, and the subgradient steps taken. */
  readonly classes?: number;
  readonly steps?: number;
}

/** Batches of more jobs than this are planned by classes and prices, smaller ones as one LP/MIP. */
export const PER_JOB_MAX_JOBS = 500;

type Plan = Map<string, { option: Option; evaluation: JobEvaluation; considered?: number }>;

/**
 * The batch optimizer: plans the first jobs of the queue together under the pools' capacity and
 * the sites' power caps, minimising Σ cost(chosen option) + 4 × (jobs left unplanned), where an
 * option's cost is the job's weighted objective relative to its own best (`costed`). What it plans
 * for is the per-job model (`perJobModel`): each job's options as columns, capacity rows per pool
 * and slot, power rows per site and slot, only those that can bind.
 *
 * A small batch: every job is evaluated over every site, keeps its best `optionsPerJob` options,
 * and the model is solved as an LP (the bound), rounded, then as a MIP if the rounding is not
 * within the gap. A large batch: the work of evaluating the jobs is shared by shape
 * (`evaluateShared`); jobs are grouped into classes (shape, run length, slack), whose jobs share
 * the (pool, start slot)s they rank best (`classColumns`); then the model is planned by prices
 * (`planByPrices`): its Lagrangian dual, one price per row (a few hundred, however many jobs), is
 * raised by subgradient steps, and the jobs take their cheapest priced column that fits. Either
 * way the objective is computed job by job, and the gap is measured to a lower bound of the
 * per-job model: its LP optimum, or its Lagrangian bound (docs/design/batch-optimizer.md).
 */
export function solveBatch(
  cycle: Cycle,
  jobs: readonly Job[],
  profile: Profile,
  solver: Solver,
  /** Plan by classes and prices (`true`) or as one LP/MIP (`false`); by the batch's size when absent. */
  byClasses: boolean = jobs.length > PER_JOB_MAX_JOBS,
): {
  plan: Plan;
  evaluations: Map<string, JobEvaluation>;
  report: OptimizerReport;
} {
  const built = batchModel(cycle, jobs, profile, byClasses);
  const { model, evaluations, considered } = built;
  const settings = profile.optimizer;
  const solved =
    built.classes > 0 ? solveByPrices(model, built.classes, settings) : solvePerJob(model, solver, settings);
  const report: OptimizerReport = { jobs: jobs.length, ...solved.report };
  const byId = new Map<string, JobEvaluation>();
  jobs.forEach((job, j) => {
    byId.set(job.id, evaluations[j] as JobEvaluation);
  });
  const plan: Plan = new Map();
  if (report.status === 'fallback-greedy') return { plan, evaluations: byId, report };
  solved.chosen.forEach((c, j) => {
    if (c < 0) return;
    const job = jobs[j] as Job;
    const sites = considered[j] ?? 0;
    const evaluation = evaluations[j] as JobEvaluation;
    plan.set(job.id, {
      option: evaluation.option((model.columns[c] as Column).at),
      evaluation,
      ...(sites > 0 ? { considered: sites } : {}),
    });
  });
  return { plan, evaluations: byId, report };
}

/** The per-job model of a batch, the jobs' evaluations, and how it is to be planned. */
export interface BatchModel {
  readonly model: PerJobModel;
  readonly evaluations: readonly JobEvaluation[];
  /** Per job, the sites its evaluation covered (0: every site). */
  readonly considered: Int32Array;
  /** The number of job classes when the batch is planned by classes and prices; 0 for one LP/MIP. */
  readonly classes: number;
}

/**
 * Evaluates the batch and builds its per-job model: for one LP/MIP, every job over every site with
 * its best `optionsPerJob` options as columns; by classes, evaluations shared by shape and columns
 * shared by class (`classColumns`).
 */
export function batchModel(cycle: Cycle, jobs: readonly Job[], profile: Profile, byClasses: boolean): BatchModel {
  const settings = profile.optimizer;
  const horizon = horizonOf(cycle.nowS, settings);
  const brief: Profile = { ...profile, explain: 'brief' };
  const k = settings.optionsPerJob;
  if (byClasses) {
    const shared = evaluateShared(cycle, jobs, brief);
    const classOf = jobs.map((job, j) => classKey(shared.shapeOf[j] as string, job, horizon));
    const columns = classColumns(jobs, shared.evaluations, (j) => classOf[j] as string, profile, horizon, k);
    return {
      model: perJobModel(cycle, jobs.length, columns, horizon),
      evaluations: shared.evaluations,
      considered: shared.considered,
      classes: Math.max(1, new Set(classOf).size),
    };
  }
  const evaluations = jobs.map((job) => evaluateJob(cycle, job, brief, true));
  const columns: Column[] = [];
  jobs.forEach((job, j) => {
    for (const c of jobColumns(j, job, evaluations[j] as JobEvaluation, profile, horizon, k)) columns.push(c);
  });
  return {
    model: perJobModel(cycle, jobs.length, columns, horizon),
    evaluations,
    considered: new Int32Array(jobs.length),
    classes: 0,
  };
}

/**
 * A job's class: its shape, how many slots its run covers (in buckets that double: 1, 2, 3–4,
 * 5–8, …) and how far it may start later (deadline less run time, in buckets of 8 slots; `r`
 * without a deadline). Jobs of a class rank the same (pool, start slot)s best and can mostly take
 * each other's.
 */
export function classKey(shape: string, job: Job, horizon: Horizon): string {
  const slots = Math.min(horizon.slots, Math.max(1, Math.ceil(job.durationS / horizon.slotS)));
  const slack =
    job.deadlineS === undefined
      ? 'r'
      : String(Math.floor(Math.max(0, job.deadlineS - job.durationS - horizon.nowS) / (8 * horizon.slotS)));
  return `${shape}|${Math.ceil(Math.log2(slots))}|${slack}`;
}

interface Solved {
  readonly chosen: Int32Array;
  readonly report: Omit<OptimizerReport, 'jobs'>;
}

function gapOf(objective: number, bound: number): number {
  return objective > 0 ? Math.max(0, (100 * (objective - bound)) / objective) : 0;
}

function assignedOf(chosen: Int32Array): number {
  let n = 0;
  for (const c of chosen) if (c >= 0) n++;
  return n;
}

function statusOf(gapPct: number, settings: OptimizerSettings): OptimizerReport['status'] {
  if (gapPct > settings.gapPct) return 'time-limit';
  return gapPct <= 1e-6 ? 'optimal' : 'within-gap';
}

function fallback(reason: string, extra: Partial<Omit<OptimizerReport, 'jobs'>> = {}): Solved {
  return {
    chosen: new Int32Array(0),
    report: {
      status: 'fallback-greedy',
      reason,
      columns: 0,
      rows: 0,
      nonzeros: 0,
      lpBound: 0,
      objective: 0,
      gapPct: 0,
      assigned: 0,
      lpS: 0,
      mipS: 0,
      ...extra,
    },
  };
}

/**
 * The per-job model's LP relaxation gives the bound; the plan is rounded from it; if that plan is
 * not within the gap and time is left, the MIP runs with the rest of the time and its plan is kept
 * if better (its proven bound, if higher, becomes the bound).
 */
function solvePerJob(model: PerJobModel, solver: Solver, settings: OptimizerSettings): Solved {
  if (model.columns.length === 0) return fallback('no job has an option within the horizon');
  const built = perJobLp(model);
  const size = { columns: built.lp.numCols, rows: built.lp.numRows, nonzeros: built.lp.values.length };
  const fixed = fixedCost(model);
  let lpS = 0;
  let lpBound = fixed;
  let chosen: Int32Array;
  if (built.lp.numCols === 0) {
    // Nothing is contended: every job takes its best option.
    chosen = roundPlan(model, built, new Float64Array(0));
  } else {
    const lp = solver.solve(built.lp, { mip: false, timeLimitS: settings.timeLimitS, gapPct: settings.gapPct });
    lpS = lp.runtimeS;
    if (lp.status !== 'optimal') return fallback(`the LP relaxation ended ${lp.status}`, { ...size, lpS });
    lpBound += lp.objective;
    chosen = roundPlan(model, built, lp.x);
  }
  let objective = planCost(model, chosen);
  let mipS = 0;
  const left = settings.timeLimitS - lpS;
  if (gapOf(objective, lpBound) > settings.gapPct && left > 0.1) {
    const mip = solver.solve(built.lp, { mip: true, timeLimitS: left, gapPct: settings.gapPct });
    mipS = mip.runtimeS;
    // The MIP's own proven bound is at least the LP's: the gap is measured to the better one.
    if (Number.isFinite(mip.bound)) lpBound = Math.max(lpBound, mip.bound + fixed);
    if (mip.x.length > 0 && (mip.status === 'optimal' || mip.status === 'time-limit')) {
      const mipChosen = roundPlan(model, built, mip.x);
      const mipObjective = planCost(model, mipChosen);
      if (mipObjective < objective) {
        chosen = mipChosen;
        objective = mipObjective;
      }
    }
  }
  const gapPct = gapOf(objective, lpBound);
  return {
    chosen,
    report: {
      ...size,
      status: statusOf(gapPct, settings),
      lpBound,
      objective,
      gapPct,
      assigned: assignedOf(chosen),
      lpS,
      mipS,
    },
  };
}

/** A large batch, planned by prices: the bound is the Lagrangian bound reached (`planByPrices`). */
function solveByPrices(model: PerJobModel, classes: number, settings: OptimizerSettings): Solved {
  if (model.columns.length === 0) return fallback('no job has an option within the horizon');
  const priced = planByPrices(model, settings.gapPct);
  const gapPct = gapOf(priced.objective, priced.bound);
  return {
    chosen: priced.chosen,
    report: {
      columns: model.columns.length,
      rows: model.rowUpper.length,
      nonzeros: model.entryRow.length,
      status: statusOf(gapPct, settings),
      lpBound: priced.bound,
      objective: priced.objective,
      gapPct,
      assigned: assignedOf(priced.chosen),
      lpS: 0,
      mipS: 0,
      classes,
      steps: priced.steps,
    },
  };
}

/** Carries out the optimizer's choice for one job: start it now, or hold its later start. */
export function applyChoice(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  choice: { option: Option; evaluation: JobEvaluation; considered?: number },
  report: OptimizerReport,
): Decision | undefined {
  const o = choice.option;
  // The model counts whole slots, so its plan fits; this guards against anything decided since.
  if (!cycle.fitsAt(o.pool, o.count, o.startS, o.durationS, o.incrementKw, o.choice.perMember)) return undefined;
  const among = choice.considered ? ` among the ${choice.considered} sites best for jobs of its shape` : '';
  const why = `batch optimizer (${report.status}, ${formatNumber(report.gapPct, 2)} % from the bound) chose ${o.site.site.id}${among}`;
  if (o.startsNow) {
    const started = startNow(cycle, job, profile, o);
    if (typeof started === 'string') return undefined;
    return place(cycle, job, profile, choice.evaluation, o, [], [why], started.nodes);
  }
  holdLater(cycle, o);
  const reason = `${why}, starting in ${formatDuration(o.startS - cycle.nowS)}`;
  return {
    kind: 'reserve',
    jobId: job.id,
    placement: toPlacement(o),
    reason,
    explanation: explain(
      cycle,
      job,
      profile,
      choice.evaluation,
      () => summarise(cycle, choice.evaluation, 'reserved', o),
      [reason],
    ),
  };
}

/** A job the optimizer left unplanned: it waits, with the explanation of its evaluation. */
export function leftOut(cycle: Cycle, job: Job, profile: Profile, evaluation: JobEvaluation): Decision {
  const reason = evaluation.rejected
    ? `${evaluation.rejected.plugin}: ${evaluation.rejected.reason}`
    : evaluation.feasibleSites === 0
      ? 'no site can run this job now'
      : 'the batch optimizer left it for a later cycle: its options are better used by other jobs';
  return {
    kind: 'wait',
    jobId: job.id,
    unresolvable: false,
    reason,
    explanation: explain(cycle, job, profile, evaluation, () => summarise(cycle, evaluation, 'best'), [reason]),
  };
}

import type { Job } from '../domain/job.ts';
import type { Decision } from '../domain/placement.ts';
import type { Cycle } from '../framework/cycle.ts';
import { formatDuration, formatNumber } from '../framework/format.ts';
import type { JobEvaluation, Option } from '../framework/option.ts';
import type { OptimizerSettings, Profile } from '../framework/profile.ts';
import { evaluateJob } from '../framework/runner.ts';
import { explain, holdLater, place, startNow, summarise, toPlacement } from '../framework/schedule-one.ts';
import { raiseBound } from './bound.ts';
import { classDual, classModel, disaggregate, pricesFromDual } from './class-model.ts';
import { type Column, type Horizon, horizonOf, jobColumns, type PerJobModel, perJobModel, planCost } from './model.ts';
import { fixedCost, perJobLp, roundPlan } from './per-job.ts';
import { evaluateShared } from './shapes.ts';
import type { Solver } from './solver.ts';

/** What the batch optimizer did in one cycle; every figure is the model's, in its own units. */
export interface OptimizerReport {
  readonly status: 'optimal' | 'within-gap' | 'time-limit' | 'fallback-greedy';
  /** Why the greedy plan was used instead, when it was. */
  readonly reason?: string;
  readonly jobs: number;
  /** Size of the LP solved: the per-job model's, or the class model's (then `classes` says how many). */
  readonly columns: number;
  readonly rows: number;
  readonly nonzeros: number;
  /**
   * A lower bound on every plan of the per-job model: its LP optimum (or the MIP's proven bound,
   * if higher) when it was solved as such; a Lagrangian bound of it when the batch was planned by
   * classes. No plan of the model can do better.
   */
  readonly lpBound: number;
  readonly objective: number;
  /** (objective − bound) ÷ objective, in percent. */
  readonly gapPct: number;
  readonly assigned: number;
  /** Seconds in the LP solver (for classes: the class LP and its dual), and in the MIP solver. */
  readonly lpS: number;
  readonly mipS: number;
  /** Classes of the class model, when the batch was planned by classes. */
  readonly classes?: number;
}

/** Batches up to this many jobs are planned with the per-job model; larger ones by classes. */
export const PER_JOB_MAX_JOBS = 1000;

/** Steps of the subgradient method that raises the class path's bound (each costs one pass over the columns). */
const BOUND_STEPS = 60;

type Plan = Map<string, { option: Option; evaluation: JobEvaluation; considered?: number }>;

/**
 * The batch optimizer: plans the first jobs of the queue together under the pools' capacity and the
 * sites' power caps, minimising Σ cost(chosen option) + 4 × (jobs left unplanned), where an option's
 * cost is the job's weighted objective relative to its own best (see `jobColumns`). The problem it
 * solves is the per-job model (`perJobModel`): each job's best `optionsPerJob` options, capacity
 * rows per pool and slot, power rows per site and slot.
 *
 * A small batch is solved as that model's LP/MIP (one binary column per option). A large one is
 * aggregated (`classModel`): jobs of one shape whose runs cover as many slots form a class, and the
 * LP has one integer column per class and (pool, start slot), so its size grows with the classes,
 * not the jobs; its counts are disaggregated to jobs in queue order. The work of evaluating the
 * jobs is shared by shape too (`evaluateShared`). Either way the plan is a plan of the per-job
 * model, its objective is computed job by job, and the gap is measured to a lower bound of the
 * per-job model: its LP optimum (small batches) or a Lagrangian bound at the class LP's row prices,
 * raised by subgradient steps (large ones).
 */
export function solveBatch(
  cycle: Cycle,
  jobs: readonly Job[],
  profile: Profile,
  solver: Solver,
): {
  plan: Plan;
  evaluations: Map<string, JobEvaluation>;
  report: OptimizerReport;
} {
  const settings = profile.optimizer;
  const horizon = horizonOf(cycle.nowS, settings);
  const brief: Profile = { ...profile, explain: 'brief' };
  const byClasses = jobs.length > PER_JOB_MAX_JOBS;
  const shared = byClasses ? evaluateShared(cycle, jobs, brief) : undefined;
  const evaluations = shared?.evaluations ?? jobs.map((job) => evaluateJob(cycle, job, brief, true));
  const byId = new Map<string, JobEvaluation>();
  const columns: Column[] = [];
  jobs.forEach((job, j) => {
    const ev = evaluations[j] as JobEvaluation;
    byId.set(job.id, ev);
    for (const c of jobColumns(j, job, ev, profile, horizon, settings.optionsPerJob)) columns.push(c);
  });
  const model = perJobModel(cycle, jobs.length, columns, horizon);
  const solved = byClasses
    ? solveByClasses(model, horizon, jobs, shared?.shapeOf ?? [], solver, settings)
    : solvePerJob(model, solver, settings);
  const report: OptimizerReport = { jobs: jobs.length, ...solved.report };
  const plan: Plan = new Map();
  if (report.status === 'fallback-greedy') return { plan, evaluations: byId, report };
  solved.chosen.forEach((c, j) => {
    if (c < 0) return;
    const job = jobs[j] as Job;
    const considered = shared?.considered[j] ?? 0;
    plan.set(job.id, {
      option: (columns[c] as Column).option,
      evaluation: evaluations[j] as JobEvaluation,
      ...(considered > 0 ? { considered } : {}),
    });
  });
  return { plan, evaluations: byId, report };
}

interface Solved {
  readonly chosen: Int32Array;
  readonly report: Omit<OptimizerReport, 'jobs'>;
}

const EMPTY_REPORT = {
  columns: 0,
  rows: 0,
  nonzeros: 0,
  lpBound: 0,
  objective: 0,
  gapPct: 0,
  assigned: 0,
  lpS: 0,
  mipS: 0,
};

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
  return { chosen: new Int32Array(0), report: { ...EMPTY_REPORT, status: 'fallback-greedy', reason, ...extra } };
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
  if (built.lp.numCols === 0) {
    // Nothing is contended: every job takes its best option.
    const chosen = roundPlan(model, built, new Float64Array(0));
    const objective = planCost(model, chosen);
    return {
      chosen,
      report: {
        ...EMPTY_REPORT,
        ...size,
        status: 'optimal',
        lpBound: objective,
        objective,
        assigned: assignedOf(chosen),
      },
    };
  }
  const lp = solver.solve(built.lp, { mip: false, timeLimitS: settings.timeLimitS, gapPct: settings.gapPct });
  if (lp.status !== 'optimal') return fallback(`the LP relaxation ended ${lp.status}`, { ...size, lpS: lp.runtimeS });
  let lpBound = lp.objective + fixed;
  let chosen = roundPlan(model, built, lp.x);
  let objective = planCost(model, chosen);
  let mipS = 0;
  const left = settings.timeLimitS - lp.runtimeS;
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
      lpS: lp.runtimeS,
      mipS,
    },
  };
}

/**
 * The class LP gives counts per class and (pool, start slot), disaggregated to jobs; its LP dual,
 * solved as an LP, gives row prices, at which the Lagrangian bound of the per-job model is
 * evaluated and then raised by subgradient steps. If the plan is not within the gap and time is
 * left, the class MIP (whole counts) runs and its plan is kept if better. The class model is not a
 * relaxation of the per-job one (a class column costs its members' mean and uses their largest
 * demand), so neither its LP optimum nor the MIP's bound is reported as a bound: only L(λ) is.
 */
function solveByClasses(
  model: PerJobModel,
  horizon: Horizon,
  jobs: readonly Job[],
  shapeOf: readonly string[],
  solver: Solver,
  settings: OptimizerSettings,
): Solved {
  if (model.columns.length === 0) return fallback('no job has an option within the horizon');
  const slots = horizon.slots;
  const cm = classModel(
    model,
    (j) => `${shapeOf[j] ?? ''}|${Math.min(slots, Math.ceil((jobs[j] as Job).durationS / horizon.slotS))}`,
    (c) => c.option.pool.index * slots + c.firstSlot,
  );
  const size = { columns: cm.lp.numCols, rows: cm.lp.numRows, nonzeros: cm.lp.values.length };
  let lpS = 0;
  let y: Float64Array = new Float64Array(0);
  let lambda: Float64Array = new Float64Array(model.rowUpper.length);
  if (cm.lp.numCols > 0) {
    const lp = solver.solve(cm.lp, { mip: false, timeLimitS: settings.timeLimitS, gapPct: settings.gapPct });
    lpS += lp.runtimeS;
    if (lp.status !== 'optimal') return fallback(`the class LP ended ${lp.status}`, { ...size, lpS });
    y = lp.x;
    const dual = classDual(cm);
    const d = solver.solve(dual.lp, {
      mip: false,
      timeLimitS: Math.max(0.01, settings.timeLimitS - lpS),
      gapPct: settings.gapPct,
    });
    lpS += d.runtimeS;
    if (d.status === 'optimal') lambda = pricesFromDual(model, cm, d.x, dual.lambdaAt);
  }
  let chosen = disaggregate(model, cm, y);
  let objective = planCost(model, chosen);
  const enough = (bound: number) => gapOf(objective, bound) <= settings.gapPct / 2;
  let { bound } = raiseBound(model, lambda, objective, BOUND_STEPS, enough);
  let mipS = 0;
  const left = settings.timeLimitS - lpS;
  if (gapOf(objective, bound) > settings.gapPct && left > 0.1 && cm.lp.numCols > 0) {
    const mip = solver.solve(cm.lp, { mip: true, timeLimitS: left, gapPct: settings.gapPct });
    mipS = mip.runtimeS;
    if (mip.x.length > 0 && (mip.status === 'optimal' || mip.status === 'time-limit')) {
      const mipChosen = disaggregate(model, cm, mip.x);
      const mipObjective = planCost(model, mipChosen);
      if (mipObjective < objective) {
        chosen = mipChosen;
        objective = mipObjective;
        bound = Math.max(bound, raiseBound(model, lambda, objective, BOUND_STEPS, enough).bound);
      }
    }
  }
  const gapPct = gapOf(objective, bound);
  return {
    chosen,
    report: {
      ...size,
      status: statusOf(gapPct, settings),
      lpBound: bound,
      objective,
      gapPct,
      assigned: assignedOf(chosen),
      lpS,
      mipS,
      classes: cm.classes.length,
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
  if (!cycle.fitsAt(o.pool, o.count, o.startS, o.durationS, o.incrementKw)) return undefined;
  const among = choice.considered ? ` among the ${choice.considered} sites best for jobs of its shape` : '';
  const why = `batch optimizer (${report.status}, ${formatNumber(report.gapPct, 2)} % from the bound) chose ${o.site.site.id}${among}`;
  if (o.startsNow) {
    const refused = startNow(cycle, job, profile, o);
    if (refused) return undefined;
    return place(cycle, job, profile, choice.evaluation, o, [], [why]);
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

import type { Job } from '../domain/job.ts';
import type { Decision } from '../domain/placement.ts';
import type { Cycle } from '../framework/cycle.ts';
import { formatDuration, formatNumber } from '../framework/format.ts';
import type { JobEvaluation, Option } from '../framework/option.ts';
import type { Profile } from '../framework/profile.ts';
import { evaluateJob } from '../framework/runner.ts';
import { explain, holdLater, place, startNow, summarise, toPlacement } from '../framework/schedule-one.ts';
import type { LpModel, Solver } from './solver.ts';

/** What the batch optimizer did in one cycle; every figure is the model's, in its own units. */
export interface OptimizerReport {
  readonly status: 'optimal' | 'within-gap' | 'time-limit' | 'fallback-greedy';
  /** Why the greedy plan was used instead, when it was. */
  readonly reason?: string;
  readonly jobs: number;
  readonly columns: number;
  readonly rows: number;
  readonly nonzeros: number;
  /** Objective of the LP relaxation: no plan of this model can do better. */
  readonly lpBound: number;
  readonly objective: number;
  /** (objective − LP bound) ÷ objective, in percent. */
  readonly gapPct: number;
  readonly assigned: number;
  readonly lpS: number;
  readonly mipS: number;
}

/** Cost of leaving a job unplanned, relative to its best option (which costs 1). */
const UNPLANNED = 4;

interface Column {
  readonly job: number;
  readonly option: Option;
  readonly cost: number;
  readonly firstSlot: number;
  readonly lastSlot: number;
}

/**
 * The batch optimizer: pending jobs × sites × time slots as a mixed-integer program.
 *
 * Each job keeps its best `optionsPerJob` options as the greedy scorer ranks them (every site and
 * start it may take, flexible starts included); a binary column per option, and a slack per job for
 * leaving it unplanned. Minimise Σ cost(option) + Σ 4 × unplanned, where an option's cost is the
 * job's weighted objective relative to its best option on each objective:
 *
 *   cost = (w_cost · CNY/CNY_best + w_carbon · kgCO2/kgCO2_best + w_time · completion/completion_best) ÷ Σw
 *
 * subject to: each job at most once; for every pool and slot, the accelerators of the options that
 * touch the slot ≤ the fewest free in it; for every site and slot, their power ≤ the least power
 * free under the cap. A slot an option touches only in part counts whole, so any solution fits.
 * Rows that can never bind are left out. The LP relaxation gives the bound the gap is measured to.
 */
export function solveBatch(
  cycle: Cycle,
  jobs: readonly Job[],
  profile: Profile,
  solver: Solver,
): {
  plan: Map<string, { option: Option; evaluation: JobEvaluation }>;
  evaluations: Map<string, JobEvaluation>;
  report: OptimizerReport;
} {
  const settings = profile.optimizer;
  const slotS = settings.slotS;
  const slots = Math.max(1, Math.ceil(settings.horizonS / slotS));
  const horizonEnd = cycle.nowS + slots * slotS;
  const brief: Profile = { ...profile, explain: 'brief' };

  const evaluations: JobEvaluation[] = [];
  const byId = new Map<string, JobEvaluation>();
  const columns: Column[] = [];
  jobs.forEach((job, j) => {
    const ev = evaluateJob(cycle, job, brief, true);
    evaluations.push(ev);
    byId.set(job.id, ev);
    // The best options by total, without sorting them all.
    const k = Math.min(settings.optionsPerJob, ev.feasible);
    const top: number[] = [];
    for (let i = 0; i < ev.feasible; i++) {
      const t = ev.totals[i] as number;
      if (top.length === k && t <= (ev.totals[top[k - 1] as number] as number)) continue;
      let at = top.length;
      while (at > 0 && t > (ev.totals[top[at - 1] as number] as number)) at--;
      top.splice(at, 0, i);
      if (top.length > k) top.pop();
    }
    const options = top.map((i) => ev.option(i)).filter((o) => o.startS < horizonEnd);
    if (options.length === 0) return;
    const bestCost = Math.max(1e-9, Math.min(...options.map((o) => o.costCny)));
    const bestCarbon = Math.max(1e-9, Math.min(...options.map((o) => o.carbonKg)));
    const completion = (o: Option) => o.startS + o.durationS - cycle.nowS;
    const bestTime = Math.max(1, Math.min(...options.map(completion)));
    const ow = profile.objectiveWeights;
    const w = {
      cost: job.objective.cost * ow.cost,
      carbon: job.objective.carbon * ow.carbon,
      time: job.objective.time * ow.time,
    };
    const weightSum = w.cost + w.carbon + w.time;
    for (const o of options) {
      const cost =
        (w.cost * (o.costCny / bestCost) +
          w.carbon * (Math.max(o.carbonKg, 1e-9) / bestCarbon) +
          w.time * (completion(o) / bestTime)) /
        weightSum;
      const firstSlot = Math.max(0, Math.floor((o.startS - cycle.nowS) / slotS));
      const lastSlot = Math.min(slots - 1, Math.ceil((o.startS + o.durationS - cycle.nowS) / slotS) - 1);
      columns.push({ job: j, option: o, cost, firstSlot, lastSlot });
    }
  });

  const model = buildModel(cycle, jobs.length, columns, slots, slotS);
  const report = (status: OptimizerReport['status'], extra: Partial<OptimizerReport> = {}): OptimizerReport => ({
    status,
    jobs: jobs.length,
    columns: model.model.numCols,
    rows: model.model.numRows,
    nonzeros: model.model.values.length,
    lpBound: 0,
    objective: 0,
    gapPct: 0,
    assigned: 0,
    lpS: 0,
    mipS: 0,
    ...extra,
  });
  const none = new Map<string, { option: Option; evaluation: JobEvaluation }>();
  if (columns.length === 0) {
    return {
      plan: none,
      evaluations: byId,
      report: report('fallback-greedy', { reason: 'no job has an option within the horizon' }),
    };
  }

  // The LP relaxation: its optimum bounds every plan of the model. Without contended jobs there is
  // nothing to solve: every job takes its best option.
  const lp =
    model.model.numCols === 0
      ? { status: 'optimal' as const, x: new Float64Array(0), objective: 0, bound: 0, runtimeS: 0 }
      : solver.solve(model.model, { mip: false, timeLimitS: settings.timeLimitS, gapPct: settings.gapPct });
  if (lp.status !== 'optimal') {
    return {
      plan: none,
      evaluations: byId,
      report: report('fallback-greedy', { reason: `the LP relaxation ended ${lp.status}`, lpS: lp.runtimeS }),
    };
  }
  let lpBound = lp.objective + model.fixedCost;
  // A plan from the LP: options by their LP value, each kept if the job has none yet and it fits.
  let chosen = roundPlan(model, columns, lp.x);
  let objective = planCost(model, columns, chosen, jobs.length);
  let mipS = 0;
  let status: OptimizerReport['status'] = 'within-gap';
  const gapOf = (o: number) => (o > 0 ? (100 * (o - lpBound)) / o : 0);
  // If the rounded plan is not within the gap and time is left, the MIP may find a better one.
  const left = settings.timeLimitS - lp.runtimeS;
  if (gapOf(objective) > settings.gapPct && left > 0.1) {
    const mip = solver.solve(model.model, { mip: true, timeLimitS: left, gapPct: settings.gapPct });
    mipS = mip.runtimeS;
    // The MIP's own proven bound is at least the LP's: the gap is measured to the better one.
    if (Number.isFinite(mip.bound)) lpBound = Math.max(lpBound, mip.bound + model.fixedCost);
    if (mip.x.length > 0 && (mip.status === 'optimal' || mip.status === 'time-limit')) {
      const mipChosen = roundPlan(model, columns, mip.x);
      const mipObjective = planCost(model, columns, mipChosen, jobs.length);
      if (mipObjective < objective) {
        chosen = mipChosen;
        objective = mipObjective;
      }
    }
  }
  const gapPct = gapOf(objective);
  if (gapPct > settings.gapPct) status = 'time-limit';
  else if (gapPct <= 1e-6) status = 'optimal';

  const plan = new Map<string, { option: Option; evaluation: JobEvaluation }>();
  for (const i of chosen) {
    const c = columns[i] as Column;
    const job = jobs[c.job] as Job;
    plan.set(job.id, { option: c.option, evaluation: evaluations[c.job] as JobEvaluation });
  }
  return {
    plan,
    evaluations: byId,
    report: report(status, { lpBound, objective, gapPct, assigned: plan.size, lpS: lp.runtimeS, mipS }),
  };
}

/** What `buildModel` returns: the LP, and what it fixed outside it. */
interface BuiltModel {
  readonly model: LpModel;
  /** The column (index into `columns`) of each model column; −1 for a slack. */
  readonly columnOf: Int32Array;
  /** Jobs fixed to their best option outside the LP (it touches no row that can bind). */
  readonly fixed: readonly number[];
  readonly fixedCost: number;
  /** Per model row, its upper bound; rows 0.. are the contended jobs' assignment rows. */
  readonly rowsOf: readonly (readonly number[])[];
  readonly coefsOf: readonly (readonly number[])[];
}

/**
 * Keeps options in order of their value in `x` (then cost), each if its job has none yet and
 * every binding row it touches still has room; then gives each unplanned job the best option of
 * its own that still fits. Fixed jobs keep their best option.
 */
function roundPlan(built: BuiltModel, columns: readonly Column[], x: Float64Array): number[] {
  const m = built.model;
  const used = new Float64Array(m.numRows);
  const taken = new Set<number>();
  const chosen: number[] = [...built.fixed];
  for (const i of built.fixed) taken.add((columns[i] as Column).job);
  const order: number[] = [];
  for (let k = 0; k < built.columnOf.length; k++) if ((built.columnOf[k] as number) >= 0) order.push(k);
  order.sort((a, b) => (x[b] ?? 0) - (x[a] ?? 0) || (m.colCost[a] as number) - (m.colCost[b] as number));
  const fits = (k: number) => {
    const rows = built.rowsOf[k] as readonly number[];
    const coefs = built.coefsOf[k] as readonly number[];
    for (let e = 0; e < rows.length; e++) {
      const r = rows[e] as number;
      if ((used[r] as number) + (coefs[e] as number) > (m.rowUpper[r] as number) + 1e-9) return false;
    }
    return true;
  };
  const take = (k: number) => {
    const rows = built.rowsOf[k] as readonly number[];
    const coefs = built.coefsOf[k] as readonly number[];
    for (let e = 0; e < rows.length; e++)
      used[rows[e] as number] = (used[rows[e] as number] as number) + (coefs[e] as number);
    const i = built.columnOf[k] as number;
    taken.add((columns[i] as Column).job);
    chosen.push(i);
  };
  // First the options the LP chose (mostly), then any remaining job's cheapest option that fits.
  for (const k of order) {
    if ((x[k] ?? 0) < 0.5) break;
    const job = (columns[built.columnOf[k] as number] as Column).job;
    if (!taken.has(job) && fits(k)) take(k);
  }
  const byCost = [...order].sort((a, b) => (m.colCost[a] as number) - (m.colCost[b] as number));
  for (const k of byCost) {
    const job = (columns[built.columnOf[k] as number] as Column).job;
    if (!taken.has(job) && fits(k)) take(k);
  }
  return chosen;
}

/** Σ cost of the chosen options + the unplanned cost of every job left without one. */
function planCost(_built: BuiltModel, columns: readonly Column[], chosen: readonly number[], jobs: number): number {
  let cost = 0;
  for (const i of chosen) cost += (columns[i] as Column).cost;
  return cost + UNPLANNED * (jobs - chosen.length);
}

/**
 * The model in compressed sparse columns: one column per option of a contended job, then one slack
 * per contended job. A job whose best option touches no row that can bind is fixed to it outside
 * the model: nothing it does affects another job.
 */
function buildModel(cycle: Cycle, jobs: number, columns: readonly Column[], slots: number, slotS: number): BuiltModel {
  // Which (pool, slot) and (site, slot) rows may bind. A job takes at most one option, so a row's
  // worst case is the sum over jobs of each job's largest demand on it; rows whose worst case fits
  // in what is free can never bind and are left out.
  const capacityDemand = new Map<number, number>();
  const powerDemand = new Map<number, number>();
  const perJob = (key: (c: Column, s: number) => number, coef: (c: Column) => number, into: Map<number, number>) => {
    let job = -1;
    const max = new Map<number, number>();
    const flush = () => {
      for (const [k, v] of max) into.set(k, (into.get(k) ?? 0) + v);
      max.clear();
    };
    for (const c of columns) {
      if (c.job !== job) {
        flush();
        job = c.job;
      }
      for (let s = c.firstSlot; s <= c.lastSlot; s++) {
        const k = key(c, s);
        max.set(k, Math.max(max.get(k) ?? 0, coef(c)));
      }
    }
    flush();
  };
  const poolKey = (c: Column, s: number) => c.option.pool.index * slots + s;
  const siteKey = (c: Column, s: number) => c.option.site.index * slots + s;
  perJob(poolKey, (c) => c.option.count, capacityDemand);
  perJob(siteKey, (c) => c.option.incrementKw, powerDemand);
  const slotFrom = (s: number) => cycle.nowS + s * slotS;
  // A row counts an option in every slot it touches, so its bound is what is free throughout the
  // part of the slot its options can occupy: from the earliest start to the latest end among them.
  // Every option lies inside that window, so options that fit the bound together fit at every
  // instant; and an option starting when running jobs end, mid-slot, is not refused for the part
  // of the slot before it.
  const poolWindow = windows(columns, poolKey, slots, slotFrom);
  const siteWindow = windows(columns, siteKey, slots, slotFrom);
  const capacityFree = new Map<number, number>();
  for (const [key, demand] of capacityDemand) {
    const pool = cycle.net.pools[Math.floor(key / slots)];
    const w = poolWindow.get(key);
    if (!pool || !w) continue;
    const free = cycle.minFree(pool, w.fromS, w.toS);
    if (demand > free) capacityFree.set(key, Math.max(0, free));
  }
  const powerFree = new Map<number, number>();
  for (const [key, demand] of powerDemand) {
    const site = cycle.net.sites[Math.floor(key / slots)];
    const w = siteWindow.get(key);
    if (!site || !w) continue;
    const free = cycle.minPowerFree(site, w.fromS, w.toS);
    if (demand > free) powerFree.set(key, Math.max(0, free));
  }
  const binds = (c: Column): boolean => {
    for (let s = c.firstSlot; s <= c.lastSlot; s++) {
      if (capacityFree.has(poolKey(c, s)) || powerFree.has(siteKey(c, s))) return true;
    }
    return false;
  };

  // Each job's best option; jobs whose best binds nothing are fixed.
  const best = new Map<number, number>();
  columns.forEach((c, i) => {
    const b = best.get(c.job);
    if (b === undefined || c.cost < (columns[b] as Column).cost) best.set(c.job, i);
  });
  const fixed: number[] = [];
  let fixedCost = 0;
  const contended = new Map<number, number>();
  for (const [job, i] of best) {
    if (binds(columns[i] as Column)) contended.set(job, contended.size);
    else {
      fixed.push(i);
      fixedCost += (columns[i] as Column).cost;
    }
  }

  const rowUpper: number[] = new Array<number>(contended.size).fill(1);
  const rowLower: number[] = new Array<number>(contended.size).fill(1);
  const rowIndex = new Map<string, number>();
  const rowFor = (kind: 'c' | 'p', key: number, free: number): number => {
    const id = `${kind}${key}`;
    let r = rowIndex.get(id);
    if (r === undefined) {
      r = rowUpper.length;
      rowIndex.set(id, r);
      rowUpper.push(free);
      rowLower.push(Number.NEGATIVE_INFINITY);
    }
    return r;
  };

  const columnOf: number[] = [];
  const rowsOf: number[][] = [];
  const coefsOf: number[][] = [];
  const starts: number[] = [];
  const indices: number[] = [];
  const values: number[] = [];
  const colCost: number[] = [];
  const integer: number[] = [];
  columns.forEach((c, i) => {
    const jobRow = contended.get(c.job);
    if (jobRow === undefined) return;
    const entries: [number, number][] = [[jobRow, 1]];
    for (let s = c.firstSlot; s <= c.lastSlot; s++) {
      const cf = capacityFree.get(poolKey(c, s));
      if (cf !== undefined) entries.push([rowFor('c', poolKey(c, s), cf), c.option.count]);
      const pf = powerFree.get(siteKey(c, s));
      if (pf !== undefined) entries.push([rowFor('p', siteKey(c, s), pf), c.option.incrementKw]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    starts.push(indices.length);
    columnOf.push(i);
    colCost.push(c.cost);
    integer.push(1);
    rowsOf.push(entries.slice(1).map((e) => e[0]));
    coefsOf.push(entries.slice(1).map((e) => e[1]));
    for (const [r, v] of entries) {
      indices.push(r);
      values.push(v);
    }
  });
  for (const [, row] of contended) {
    starts.push(indices.length);
    columnOf.push(-1);
    colCost.push(UNPLANNED);
    integer.push(0);
    rowsOf.push([]);
    coefsOf.push([]);
    indices.push(row);
    values.push(1);
  }
  starts.push(indices.length);
  const numCols = columnOf.length;
  return {
    model: {
      numCols,
      numRows: rowUpper.length,
      colCost: Float64Array.from(colCost),
      colLower: new Float64Array(numCols),
      colUpper: new Float64Array(numCols).fill(1),
      rowLower: Float64Array.from(rowLower),
      rowUpper: Float64Array.from(rowUpper),
      starts: Int32Array.from(starts),
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
      integer: Uint8Array.from(integer),
    },
    columnOf: Int32Array.from(columnOf),
    fixed,
    fixedCost: fixedCost + UNPLANNED * (jobs - best.size),
    rowsOf,
    coefsOf,
  };
}

/** Per row key: the part of its slot that the options touching it can occupy. */
function windows(
  columns: readonly Column[],
  key: (c: Column, s: number) => number,
  slots: number,
  slotFrom: (s: number) => number,
): Map<number, { fromS: number; toS: number }> {
  const out = new Map<number, { fromS: number; toS: number }>();
  for (const c of columns) {
    const endS = c.option.startS + c.option.durationS;
    for (let s = c.firstSlot; s <= c.lastSlot && s < slots; s++) {
      const k = key(c, s);
      const fromS = Math.max(slotFrom(s), c.option.startS);
      const toS = Math.min(slotFrom(s + 1), endS);
      const w = out.get(k);
      if (!w) out.set(k, { fromS, toS });
      else out.set(k, { fromS: Math.min(w.fromS, fromS), toS: Math.max(w.toS, toS) });
    }
  }
  return out;
}

/** Carries out the optimizer's choice for one job: start it now, or hold its later start. */
export function applyChoice(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  choice: { option: Option; evaluation: JobEvaluation },
  report: OptimizerReport,
): Decision | undefined {
  const o = choice.option;
  // The model counts whole slots, so its plan fits; this guards against anything decided since.
  if (!cycle.fitsAt(o.pool, o.count, o.startS, o.durationS, o.incrementKw)) return undefined;
  const why = `batch optimizer (${report.status}, ${formatNumber(report.gapPct, 2)} % from the LP bound) chose ${o.site.site.id}`;
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

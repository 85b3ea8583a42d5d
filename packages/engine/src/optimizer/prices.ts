import { fillGreedy, type PerJobModel, planCost, RowUse, UNPLANNED } from './model.ts';

/**
 * The Lagrangian bound of the per-job model at row prices λ ≥ 0:
 *
 *   L(λ) = Σ_jobs min(4, min over the job's columns of cost + Σ_rows λ_r · use_r) − Σ_rows λ_r · bound_r
 *
 * For any plan x of the model's LP relaxation (each job's columns and its unplanned share sum to 1,
 * every row within its bound): cost(x) ≥ cost(x) + Σ_r λ_r (use_r(x) − bound_r), as every term
 * added is ≤ 0; the right side is, job by job, a convex mix of the job's priced columns and 4, less
 * Σ λ_r bound_r, so it is ≥ L(λ). So L(λ) is a lower bound on every plan of the model, whatever λ
 * is, and at the LP's optimal row duals it equals the LP optimum (LP duality). `argmin` receives
 * each job's cheapest priced column (−1: unplanned).
 */
export function lagrangian(model: PerJobModel, lambda: Float64Array, argmin?: Int32Array): number {
  let total = 0;
  for (let j = 0; j < model.jobs; j++) {
    const [best, at] = cheapestPriced(model, lambda, j);
    total += best;
    if (argmin) argmin[j] = at;
  }
  const rowUpper = model.rowUpper;
  for (let r = 0; r < rowUpper.length; r++) total -= (lambda[r] as number) * (rowUpper[r] as number);
  return total;
}

/** The job's cheapest priced column and its priced cost (4 and −1 if leaving it out is cheaper). */
function cheapestPriced(model: PerJobModel, lambda: Float64Array, j: number): [number, number] {
  const { cost, first, entryStart, entryRow, entryCoef } = model;
  let best = UNPLANNED;
  let at = -1;
  for (let c = first[j] as number; c < (first[j + 1] as number); c++) {
    // Columns are cheapest first and prices only add: none after this one can do better.
    let v = cost[c] as number;
    if (v >= best) break;
    for (let e = entryStart[c] as number; e < (entryStart[c + 1] as number); e++) {
      v += (lambda[entryRow[e] as number] as number) * (entryCoef[e] as number);
    }
    if (v < best) {
      best = v;
      at = c;
    }
  }
  return [best, at];
}

/**
 * A plan from row prices λ. Jobs choose one by one, in queue order, or (`byRegret`) those with the
 * most to lose first — the regret: what their second-best priced column, or leaving them out,
 * costs over their best — ties in queue order; each takes its cheapest priced column that fits, if
 * that is below the cost of leaving it out. At prices near the LP's optimal duals a job's priced
 * choice is the LP's; by regret, the jobs indifferent between columns choose last and give way.
 */
export function pricedPlan(model: PerJobModel, lambda: Float64Array, byRegret = false): Int32Array {
  const { cost, first, entryStart, entryRow, entryCoef } = model;
  const priced = (c: number) => {
    let v = cost[c] as number;
    for (let e = entryStart[c] as number; e < (entryStart[c + 1] as number); e++) {
      v += (lambda[entryRow[e] as number] as number) * (entryCoef[e] as number);
    }
    return v;
  };
  const order = Array.from({ length: model.jobs }, (_, j) => j);
  if (byRegret) orderByRegret(model, priced, order);
  const chosen = new Int32Array(model.jobs).fill(-1);
  const use = new RowUse(model);
  for (const j of order) {
    let pick = -1;
    let best = UNPLANNED;
    for (let c = first[j] as number; c < (first[j + 1] as number); c++) {
      if ((cost[c] as number) >= best) break;
      const v = priced(c);
      if (v < best && use.fits(c)) {
        best = v;
        pick = c;
      }
    }
    if (pick >= 0) {
      use.take(pick);
      chosen[j] = pick;
    }
  }
  fillGreedy(model, chosen, use);
  return chosen;
}

/** Sorts jobs by regret, largest first, ties in queue order. */
function orderByRegret(model: PerJobModel, priced: (c: number) => number, order: number[]): void {
  const { cost, first } = model;
  const regret = new Float64Array(model.jobs);
  for (let j = 0; j < model.jobs; j++) {
    let b1 = UNPLANNED;
    let b2 = UNPLANNED;
    for (let c = first[j] as number; c < (first[j + 1] as number); c++) {
      if ((cost[c] as number) >= b2) break;
      const v = priced(c);
      if (v < b1) {
        b2 = b1;
        b1 = v;
      } else if (v < b2) b2 = v;
    }
    regret[j] = b2 - b1;
  }
  order.sort((a, b) => (regret[b] as number) - (regret[a] as number) || a - b);
}

/** Tuning of the local search after pricing. */
const SEARCH = {
  /** Columns of an unplanned job tried, cheapest first. */
  columns: 3,
  /** Jobs on the blocking row tried for each. */
  blockers: 64,
};

/**
 * Improves a plan in place, in queue order: every job left out is placed if one of its cheapest
 * columns fits, or fits once one job on the row that blocks it moves to another of its columns
 * (and the move costs less than leaving the job out); then every job moves to a cheaper column of
 * its own that fits. Never over-fills a row; never makes the plan dearer.
 */
export function improvePlan(model: PerJobModel, chosen: Int32Array): void {
  const { cost, first, entryStart, entryRow, entryCoef, rowUpper } = model;
  const use = new RowUse(model);
  const onRow: number[][] = Array.from({ length: rowUpper.length }, () => []);
  const hold = (j: number, c: number) => {
    use.take(c);
    chosen[j] = c;
    for (let e = entryStart[c] as number; e < (entryStart[c + 1] as number); e++) {
      (onRow[entryRow[e] as number] as number[]).push(j);
    }
  };
  for (let j = 0; j < model.jobs; j++) if ((chosen[j] as number) >= 0) hold(j, chosen[j] as number);
  for (let u = 0; u < model.jobs; u++) {
    if ((chosen[u] as number) >= 0) continue;
    const end = Math.min(first[u + 1] as number, (first[u] as number) + SEARCH.columns);
    placing: for (let c = first[u] as number; c < end; c++) {
      const gain = UNPLANNED - (cost[c] as number);
      if (gain <= 0) break;
      let blocked = -1;
      for (let e = entryStart[c] as number; e < (entryStart[c + 1] as number); e++) {
        const r = entryRow[e] as number;
        if (use.level(r) + (entryCoef[e] as number) > (rowUpper[r] as number) + 1e-9) {
          blocked = r;
          break;
        }
      }
      if (blocked < 0) {
        hold(u, c);
        break;
      }
      const jobs = onRow[blocked] as number[];
      let tried = 0;
      for (let i = jobs.length - 1; i >= 0 && tried < SEARCH.blockers; i--) {
        const v = jobs[i] as number;
        const cv = chosen[v] as number;
        // Entries are left behind when a job moves: skip those no longer on the row.
        if (cv < 0 || !touches(model, cv, blocked)) continue;
        tried++;
        use.release(cv);
        if (use.fits(c)) {
          use.take(c);
          for (let a = first[v] as number; a < (first[v + 1] as number); a++) {
            if ((cost[a] as number) - (cost[cv] as number) >= gain) break;
            if (a !== cv && use.fits(a)) {
              use.release(c);
              chosen[v] = -1;
              hold(v, a);
              hold(u, c);
              break placing;
            }
          }
          use.release(c);
        }
        use.take(cv);
      }
    }
  }
  // Every job, in queue order, to a cheaper column of its own that fits.
  for (let j = 0; j < model.jobs; j++) {
    const cur = chosen[j] as number;
    if (cur < 0) continue;
    use.release(cur);
    let pick = cur;
    for (let c = first[j] as number; c < cur && (cost[c] as number) < (cost[cur] as number); c++) {
      if (use.fits(c)) {
        pick = c;
        break;
      }
    }
    use.take(pick);
    chosen[j] = pick;
  }
}

function touches(model: PerJobModel, c: number, row: number): boolean {
  for (let e = model.entryStart[c] as number; e < (model.entryStart[c + 1] as number); e++) {
    if (model.entryRow[e] === row) return true;
  }
  return false;
}

/** What `planByPrices` found: the best plan, its cost, the best bound and the prices there. */
export interface Priced {
  readonly chosen: Int32Array;
  readonly objective: number;
  readonly bound: number;
  readonly lambda: Float64Array;
  readonly steps: number;
}

/** Tuning of the dual ascent. */
const ASCENT = {
  /** Most subgradient steps (each one pass over the columns). */
  maxSteps: 200,
  /** Weight of the newest subgradient in the direction (the rest is the previous direction). */
  smoothing: 0.7,
  /** The first target is at most this far above the bound, relative to it. */
  level: 0.1,
  /** Steps without a better bound before the target comes nearer. */
  patience: 4,
  /** A priced plan is made every this many steps. */
  planEvery: 10,
};

/**
 * Plans by prices. Raises the Lagrangian bound by deflected subgradient steps: the direction is
 * 0.7 × the newest subgradient + 0.3 × the previous direction (which damps the zig-zag of plain
 * steps); the step is Polyak's towards a target level above the best bound — at first halfway to
 * the first plan's cost, at most 10 % above it — whose distance halves whenever the bound stalls.
 * Every few steps it makes a priced plan at the best prices (in queue order and by regret, by
 * turns) and keeps the cheapest; it stops when that is within `gapPct` of the bound, or after
 * `ASCENT.maxSteps`; then the local search improves the plan. Every bound it returns is valid;
 * only how close it gets depends on the steps.
 */
export function planByPrices(model: PerJobModel, gapPct: number): Priced {
  const rows = model.rowUpper.length;
  let lambda = new Float64Array(rows);
  const argmin = new Int32Array(model.jobs);
  let bound = lagrangian(model, lambda, argmin);
  let best = { bound, lambda };
  let chosen = pricedPlan(model, lambda);
  let objective = planCost(model, chosen);
  const gap = () => (objective > 0 ? (100 * (objective - best.bound)) / objective : 0);
  let steps = 0;
  if (rows > 0 && gap() > gapPct) {
    const g = new Float64Array(rows);
    const d = new Float64Array(rows);
    let level = Math.min(ASCENT.level, (objective - bound) / (2 * Math.max(Math.abs(bound), 1e-9)));
    let stall = 0;
    for (; steps < ASCENT.maxSteps; ) {
      // The subgradient at λ: what the priced choices use of each row, less its bound.
      for (let r = 0; r < rows; r++) g[r] = -(model.rowUpper[r] as number);
      for (let j = 0; j < model.jobs; j++) {
        const c = argmin[j] as number;
        if (c < 0) continue;
        for (let e = model.entryStart[c] as number; e < (model.entryStart[c + 1] as number); e++) {
          const r = model.entryRow[e] as number;
          g[r] = (g[r] as number) + (model.entryCoef[e] as number);
        }
      }
      let norm = 0;
      for (let r = 0; r < rows; r++) {
        const s = ASCENT.smoothing;
        let v = steps === 0 ? (g[r] as number) : s * (g[r] as number) + (1 - s) * (d[r] as number);
        if ((lambda[r] as number) <= 0 && v < 0) v = 0;
        d[r] = v;
        norm += v * v;
      }
      if (norm === 0) break; // the priced choices fit every row and clear those with a price
      const target = Math.min(objective, best.bound + level * Math.abs(best.bound));
      const step = Math.max(target - bound, 1e-9 * Math.abs(target)) / norm;
      const next = new Float64Array(rows);
      for (let r = 0; r < rows; r++) next[r] = Math.max(0, (lambda[r] as number) + step * (d[r] as number));
      lambda = next;
      bound = lagrangian(model, lambda, argmin);
      steps++;
      if (bound > best.bound + 1e-9) {
        best = { bound, lambda };
        stall = 0;
      } else if (++stall >= ASCENT.patience) {
        // Stalled: a nearer target.
        level /= 2;
        stall = 0;
      }
      if (steps % ASCENT.planEvery === 0) {
        // In queue order and by regret, by turns.
        const plan = pricedPlan(model, best.lambda, steps % (2 * ASCENT.planEvery) === 0);
        const cost = planCost(model, plan);
        if (cost < objective) {
          chosen = plan;
          objective = cost;
        }
        if (gap() <= gapPct) break;
      }
    }
    if (steps % ASCENT.planEvery !== 0) {
      const plan = pricedPlan(model, best.lambda, true);
      const cost = planCost(model, plan);
      if (cost < objective) {
        chosen = plan;
        objective = cost;
      }
    }
  }
  improvePlan(model, chosen);
  objective = planCost(model, chosen);
  return { chosen, objective, bound: best.bound, lambda: best.lambda, steps };
}

import { type Column, fillGreedy, type PerJobModel, RowUse, UNPLANNED } from './model.ts';
import type { LpModel } from './solver.ts';

/**
 * The per-job model as an LP/MIP, for the jobs whose best column touches a row that can bind: one
 * binary column per option, one slack per job (cost 4), each job's columns and slack summing to 1,
 * then the capacity and power rows. Jobs whose best column touches no such row are left out: they
 * take it, and nothing they do affects another job.
 */
export interface PerJobLp {
  readonly lp: LpModel;
  /** LP column → per-job model column; −1 for a slack. */
  readonly columnOf: Int32Array;
}

export function perJobLp(model: PerJobModel): PerJobLp {
  const contendedRow = new Int32Array(model.jobs).fill(-1);
  let jobRows = 0;
  for (let j = 0; j < model.jobs; j++) if (model.contended[j] === 1) contendedRow[j] = jobRows++;
  const numRows = jobRows + model.rowUpper.length;
  const rowLower = new Float64Array(numRows).fill(Number.NEGATIVE_INFINITY);
  const rowUpper = new Float64Array(numRows);
  rowLower.fill(1, 0, jobRows);
  rowUpper.fill(1, 0, jobRows);
  rowUpper.set(model.rowUpper, jobRows);

  const starts: number[] = [];
  const indices: number[] = [];
  const values: number[] = [];
  const colCost: number[] = [];
  const integer: number[] = [];
  const columnOf: number[] = [];
  model.columns.forEach((c, i) => {
    const row = contendedRow[c.job] as number;
    if (row < 0) return;
    starts.push(indices.length);
    indices.push(row);
    values.push(1);
    const entries: [number, number][] = [];
    for (let e = model.entryStart[i] as number; e < (model.entryStart[i + 1] as number); e++) {
      entries.push([jobRows + (model.entryRow[e] as number), model.entryCoef[e] as number]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    for (const [r, v] of entries) {
      indices.push(r);
      values.push(v);
    }
    colCost.push(c.cost);
    integer.push(1);
    columnOf.push(i);
  });
  for (let j = 0; j < model.jobs; j++) {
    const row = contendedRow[j] as number;
    if (row < 0) continue;
    starts.push(indices.length);
    indices.push(row);
    values.push(1);
    colCost.push(UNPLANNED);
    integer.push(0);
    columnOf.push(-1);
  }
  starts.push(indices.length);
  const numCols = colCost.length;
  return {
    lp: {
      numCols,
      numRows,
      colCost: Float64Array.from(colCost),
      colLower: new Float64Array(numCols),
      colUpper: new Float64Array(numCols).fill(1),
      rowLower,
      rowUpper,
      starts: Int32Array.from(starts),
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
      integer: Uint8Array.from(integer),
    },
    columnOf: Int32Array.from(columnOf),
  };
}

/** Σ cost of the best column of every job the LP leaves out (and 4 for each job without one). */
export function fixedCost(model: PerJobModel): number {
  let cost = 0;
  for (let j = 0; j < model.jobs; j++) {
    if (model.contended[j] === 1) continue;
    const b = model.best[j] as number;
    cost += b >= 0 ? (model.columns[b] as Column).cost : UNPLANNED;
  }
  return cost;
}

/**
 * A plan from an LP (or MIP) solution: jobs outside the LP take their best column; then columns in
 * order of their value in `x` (then cost), each if its job has none yet, its value is at least ½
 * and it fits; then every job still without one takes its cheapest column that fits.
 */
export function roundPlan(model: PerJobModel, built: PerJobLp, x: Float64Array): Int32Array {
  const chosen = new Int32Array(model.jobs).fill(-1);
  const use = new RowUse(model);
  for (let j = 0; j < model.jobs; j++) {
    if (model.contended[j] === 0 && (model.best[j] as number) >= 0) chosen[j] = model.best[j] as number;
  }
  const order: number[] = [];
  for (let k = 0; k < built.columnOf.length; k++) {
    if ((built.columnOf[k] as number) >= 0 && (x[k] ?? 0) >= 0.5) order.push(k);
  }
  const cost = built.lp.colCost;
  order.sort((a, b) => (x[b] ?? 0) - (x[a] ?? 0) || (cost[a] as number) - (cost[b] as number));
  for (const k of order) {
    const c = built.columnOf[k] as number;
    const job = (model.columns[c] as Column).job;
    if ((chosen[job] as number) < 0 && use.fits(c)) {
      use.take(c);
      chosen[job] = c;
    }
  }
  fillGreedy(model, chosen, use);
  return chosen;
}

import type { Column, PerJobModel } from './model.ts';
import { fillGreedy, RowUse, UNPLANNED } from './model.ts';
import type { LpModel } from './solver.ts';

/** Jobs of one shape whose runs cover the same number of slots: they use the rows alike. */
export interface JobClass {
  readonly key: string;
  /** Its jobs, in queue order. */
  readonly members: readonly number[];
  readonly columns: readonly ClassColumn[];
}

/**
 * A (pool, start slot) some members of a class can take. `cap` members have it; `cost` is their
 * mean cost there; it touches the union of their rows, each with the largest use among them.
 */
export interface ClassColumn {
  readonly cost: number;
  readonly cap: number;
  readonly rows: Int32Array;
  readonly coefs: Float64Array;
}

/** The aggregated model: its LP, which class column each LP column is, and the rows it uses. */
export interface ClassModel {
  readonly classes: readonly JobClass[];
  /** The class and class column of each member column of the per-job model (−1 when none). */
  readonly classOf: Int32Array;
  readonly classColumnOf: Int32Array;
  readonly lp: LpModel;
  /** LP column → (class, class column); slacks have column −1. */
  readonly lpClass: Int32Array;
  readonly lpColumn: Int32Array;
  /** LP row (after the class rows) → per-job model row. */
  readonly lpRows: Int32Array;
}

/**
 * Groups the contended jobs into classes and builds the class LP: one integer column per class and
 * (pool, start slot), counting how many of the class's jobs start there, and one slack per class
 * counting those left unplanned:
 *
 *   minimise Σ cost_k,o · y_k,o + 4 · Σ s_k
 *   subject to Σ_o y_k,o + s_k = n_k (every class), 0 ≤ y_k,o ≤ cap_k,o,
 *   and the per-job model's capacity and power rows, each class column using what its members use.
 *
 * Its size grows with the classes and the pools and slots they can use, not with the jobs.
 */
export function classModel(
  model: PerJobModel,
  keyOf: (job: number) => string,
  slotOf: (c: Column) => number,
): ClassModel {
  const byKey = new Map<string, number[]>();
  for (let j = 0; j < model.jobs; j++) {
    if (model.contended[j] !== 1) continue;
    const key = keyOf(j);
    const list = byKey.get(key);
    if (list) list.push(j);
    else byKey.set(key, [j]);
  }
  const classOf = new Int32Array(model.columns.length).fill(-1);
  const classColumnOf = new Int32Array(model.columns.length).fill(-1);
  const classes: JobClass[] = [];
  for (const [key, members] of byKey) {
    const k = classes.length;
    const index = new Map<number, number>();
    const acc: { cost: number; cap: number; rows: Map<number, number> }[] = [];
    for (const j of members) {
      // A member counts once per (pool, start slot): with its cheapest column there.
      const mine = new Map<number, number>();
      for (let c = model.first[j] as number; c < (model.first[j + 1] as number); c++) {
        const col = model.columns[c] as Column;
        const at = slotOf(col);
        const had = mine.get(at);
        if (had === undefined || col.cost < (model.columns[had] as Column).cost) mine.set(at, c);
      }
      for (const [at, c] of mine) {
        let o = index.get(at);
        if (o === undefined) {
          o = acc.length;
          index.set(at, o);
          acc.push({ cost: 0, cap: 0, rows: new Map() });
        }
        const a = acc[o] as (typeof acc)[number];
        a.cost += (model.columns[c] as Column).cost;
        a.cap += 1;
        for (let e = model.entryStart[c] as number; e < (model.entryStart[c + 1] as number); e++) {
          const r = model.entryRow[e] as number;
          a.rows.set(r, Math.max(a.rows.get(r) ?? 0, model.entryCoef[e] as number));
        }
        classOf[c] = k;
        classColumnOf[c] = o;
      }
    }
    const columns = acc.map((a) => {
      const rows = [...a.rows.keys()].sort((x, y) => x - y);
      return {
        cost: a.cost / a.cap,
        cap: a.cap,
        rows: Int32Array.from(rows),
        coefs: Float64Array.from(rows.map((r) => a.rows.get(r) as number)),
      };
    });
    classes.push({ key, members, columns });
  }

  // The LP: class rows first, then the per-job model's rows that some class column uses.
  const rowIndex = new Map<number, number>();
  const lpRows: number[] = [];
  for (const cl of classes) {
    for (const col of cl.columns) {
      for (const r of col.rows) {
        if (!rowIndex.has(r)) {
          rowIndex.set(r, classes.length + lpRows.length);
          lpRows.push(r);
        }
      }
    }
  }
  const starts: number[] = [];
  const indices: number[] = [];
  const values: number[] = [];
  const colCost: number[] = [];
  const colUpper: number[] = [];
  const integer: number[] = [];
  const lpClass: number[] = [];
  const lpColumn: number[] = [];
  classes.forEach((cl, k) => {
    cl.columns.forEach((col, o) => {
      starts.push(indices.length);
      indices.push(k);
      values.push(1);
      const entries = [...col.rows].map((r, e) => [rowIndex.get(r) as number, col.coefs[e] as number] as const);
      entries.sort((a, b) => a[0] - b[0]);
      for (const [r, v] of entries) {
        indices.push(r);
        values.push(v);
      }
      colCost.push(col.cost);
      colUpper.push(col.cap);
      integer.push(1);
      lpClass.push(k);
      lpColumn.push(o);
    });
    starts.push(indices.length);
    indices.push(k);
    values.push(1);
    colCost.push(UNPLANNED);
    colUpper.push(cl.members.length);
    integer.push(1);
    lpClass.push(k);
    lpColumn.push(-1);
  });
  starts.push(indices.length);
  const numRows = classes.length + lpRows.length;
  const rowLower = new Float64Array(numRows).fill(Number.NEGATIVE_INFINITY);
  const rowUpper = new Float64Array(numRows);
  classes.forEach((cl, k) => {
    rowLower[k] = cl.members.length;
    rowUpper[k] = cl.members.length;
  });
  lpRows.forEach((r, i) => {
    rowUpper[classes.length + i] = model.rowUpper[r] as number;
  });
  const numCols = colCost.length;
  return {
    classes,
    classOf,
    classColumnOf,
    lp: {
      numCols,
      numRows,
      colCost: Float64Array.from(colCost),
      colLower: new Float64Array(numCols),
      colUpper: Float64Array.from(colUpper),
      rowLower,
      rowUpper,
      starts: Int32Array.from(starts),
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
      integer: Uint8Array.from(integer),
    },
    lpClass: Int32Array.from(lpClass),
    lpColumn: Int32Array.from(lpColumn),
    lpRows: Int32Array.from(lpRows),
  };
}

/**
 * The LP dual of the class LP, as an LP to minimise, so that any LP solver gives the row prices:
 *
 *   maximise Σ n_k μ_k − Σ bound_r λ_r − Σ cap_k,o π_k,o
 *   subject to μ_k − Σ_r use_r(k,o) λ_r − π_k,o ≤ cost_k,o,  μ_k ≤ 4,  λ, π ≥ 0.
 *
 * Columns: μ (one per class), then λ (one per used row), then π (one per class column).
 */
export function classDual(cm: ClassModel): { lp: LpModel; lambdaAt: number } {
  const p = cm.lp;
  const classes = cm.classes.length;
  const resourceRows = p.numRows - classes;
  // Rows of the dual: the class columns (not the slacks: their constraint is μ_k ≤ 4, a bound).
  const dualRow = new Int32Array(p.numCols).fill(-1);
  let rows = 0;
  for (let c = 0; c < p.numCols; c++) if ((cm.lpColumn[c] as number) >= 0) dualRow[c] = rows++;
  const byVar: { r: number; v: number }[][] = Array.from({ length: classes + resourceRows }, () => []);
  for (let c = 0; c < p.numCols; c++) {
    const d = dualRow[c] as number;
    if (d < 0) continue;
    for (let e = p.starts[c] as number; e < (p.starts[c + 1] as number); e++) {
      const r = p.indices[e] as number;
      const v = p.values[e] as number;
      // Row r < classes is the class row (μ_k with +1); the others are resources (λ with −use).
      (byVar[r] as { r: number; v: number }[]).push({ r: d, v: r < classes ? v : -v });
    }
  }
  const starts: number[] = [];
  const indices: number[] = [];
  const values: number[] = [];
  const colCost: number[] = [];
  const colLower: number[] = [];
  const colUpper: number[] = [];
  for (let k = 0; k < classes + resourceRows; k++) {
    starts.push(indices.length);
    for (const { r, v } of byVar[k] as { r: number; v: number }[]) {
      indices.push(r);
      values.push(v);
    }
    if (k < classes) {
      colCost.push(-(p.rowUpper[k] as number));
      colLower.push(Number.NEGATIVE_INFINITY);
      colUpper.push(UNPLANNED);
    } else {
      colCost.push(p.rowUpper[k] as number);
      colLower.push(0);
      colUpper.push(Number.POSITIVE_INFINITY);
    }
  }
  for (let c = 0; c < p.numCols; c++) {
    const d = dualRow[c] as number;
    if (d < 0) continue;
    starts.push(indices.length);
    indices.push(d);
    values.push(-1);
    colCost.push(p.colUpper[c] as number);
    colLower.push(0);
    colUpper.push(Number.POSITIVE_INFINITY);
  }
  starts.push(indices.length);
  const rowUpper = new Float64Array(rows);
  for (let c = 0; c < p.numCols; c++) {
    const d = dualRow[c] as number;
    if (d >= 0) rowUpper[d] = p.colCost[c] as number;
  }
  const numCols = colCost.length;
  return {
    lp: {
      numCols,
      numRows: rows,
      colCost: Float64Array.from(colCost),
      colLower: Float64Array.from(colLower),
      colUpper: Float64Array.from(colUpper),
      rowLower: new Float64Array(rows).fill(Number.NEGATIVE_INFINITY),
      rowUpper,
      starts: Int32Array.from(starts),
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
      integer: new Uint8Array(numCols),
    },
    lambdaAt: classes,
  };
}

/** Row prices of the per-job model from the dual's solution (0 for rows the class LP has not). */
export function pricesFromDual(model: PerJobModel, cm: ClassModel, x: Float64Array, lambdaAt: number): Float64Array {
  const lambda = new Float64Array(model.rowUpper.length);
  cm.lpRows.forEach((r, i) => {
    lambda[r] = Math.max(0, x[lambdaAt + i] ?? 0);
  });
  return lambda;
}

/**
 * Disaggregates the class plan `y` to jobs: each class column's count is rounded to whole jobs;
 * then every contended job, in queue order, takes the cheapest of its own columns whose class
 * column still has a job to give and that fits. The jobs that get none take, in queue order, the
 * cheapest of their columns that fits (if cheaper than leaving them out). Jobs outside the classes
 * take their best column. Returns the chosen column of each job (−1: unplanned).
 */
export function disaggregate(model: PerJobModel, cm: ClassModel, y: Float64Array): Int32Array {
  const chosen = new Int32Array(model.jobs).fill(-1);
  const use = new RowUse(model);
  for (let j = 0; j < model.jobs; j++) {
    if (model.contended[j] === 0 && (model.best[j] as number) >= 0) chosen[j] = model.best[j] as number;
  }
  // Whole jobs per class column: the integer parts, then the largest remainders up to the class's
  // planned total.
  const left = cm.classes.map((cl) => new Float64Array(cl.columns.length));
  const frac: { k: number; o: number; f: number }[] = [];
  const planned = new Float64Array(cm.classes.length);
  for (let c = 0; c < cm.lp.numCols; c++) {
    const k = cm.lpClass[c] as number;
    const o = cm.lpColumn[c] as number;
    if (o < 0) continue;
    const v = Math.max(0, y[c] ?? 0);
    const whole = Math.floor(v + 1e-6);
    (left[k] as Float64Array)[o] = whole;
    planned[k] = (planned[k] as number) + v;
    if (v - whole > 1e-6) frac.push({ k, o, f: v - whole });
  }
  const extra = cm.classes.map((_, k) => {
    let sum = 0;
    for (const v of left[k] as Float64Array) sum += v;
    return Math.round(planned[k] as number) - sum;
  });
  frac.sort((a, b) => b.f - a.f);
  for (const { k, o } of frac) {
    if ((extra[k] as number) <= 0) continue;
    const cap = ((cm.classes[k] as JobClass).columns[o] as ClassColumn).cap;
    const l = left[k] as Float64Array;
    if ((l[o] as number) >= cap) continue;
    l[o] = (l[o] as number) + 1;
    extra[k] = (extra[k] as number) - 1;
  }

  for (let j = 0; j < model.jobs; j++) {
    if (model.contended[j] !== 1) continue;
    let pick = -1;
    for (let c = model.first[j] as number; c < (model.first[j + 1] as number); c++) {
      const k = cm.classOf[c] as number;
      if (k < 0) continue;
      const l = left[k] as Float64Array;
      const o = cm.classColumnOf[c] as number;
      if ((l[o] as number) < 1) continue;
      if (pick >= 0 && (model.columns[c] as Column).cost >= (model.columns[pick] as Column).cost) continue;
      if (use.fits(c)) pick = c;
    }
    if (pick < 0) continue;
    const l = left[cm.classOf[pick] as number] as Float64Array;
    const o = cm.classColumnOf[pick] as number;
    l[o] = (l[o] as number) - 1;
    use.take(pick);
    chosen[j] = pick;
  }
  fillGreedy(model, chosen, use);
  return chosen;
}

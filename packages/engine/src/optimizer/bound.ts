import { type Column, type PerJobModel, UNPLANNED } from './model.ts';

/**
 * The Lagrangian bound of the per-job model at row prices λ ≥ 0:
 *
 *   L(λ) = Σ_jobs min(4, min over the job's columns of cost + Σ_rows λ_r · use_r) − Σ_rows λ_r · bound_r
 *
 * For any plan x of the model's LP relaxation (each job's columns and its unplanned share sum to
 * 1, every row within its bound), cost(x) ≥ cost(x) + Σ λ_r (bound_r − use_r(x)) ≥ L(λ), since
 * λ ≥ 0 and each job pays at least its cheapest priced column or 4. So L(λ) is a lower bound on
 * every plan of the per-job model, whatever λ is, and at the LP's optimal row duals it equals the
 * LP optimum. `argmin` receives each job's cheapest priced column (−1: unplanned).
 */
export function lagrangian(model: PerJobModel, lambda: Float64Array, argmin?: Int32Array): number {
  const { columns, first, entryStart, entryRow, entryCoef, rowUpper } = model;
  let total = 0;
  for (let j = 0; j < model.jobs; j++) {
    let best = UNPLANNED;
    let at = -1;
    for (let c = first[j] as number; c < (first[j + 1] as number); c++) {
      let v = (columns[c] as Column).cost;
      if (v >= best) continue;
      for (let e = entryStart[c] as number; e < (entryStart[c + 1] as number); e++) {
        v += (lambda[entryRow[e] as number] as number) * (entryCoef[e] as number);
      }
      if (v < best) {
        best = v;
        at = c;
      }
    }
    total += best;
    if (argmin) argmin[j] = at;
  }
  for (let r = 0; r < rowUpper.length; r++) total -= (lambda[r] as number) * (rowUpper[r] as number);
  return total;
}

/**
 * Raises the Lagrangian bound from the prices λ by projected subgradient steps (Polyak's step
 * towards `target`, the cost of a known plan, halving the step when the bound stalls). Returns the
 * best bound found and its prices. Every value it returns is a valid bound: only how close it gets
 * depends on the steps.
 */
export function raiseBound(
  model: PerJobModel,
  start: Float64Array,
  target: number,
  iterations: number,
  enough: (bound: number) => boolean,
): { bound: number; lambda: Float64Array } {
  const rows = model.rowUpper.length;
  let lambda = Float64Array.from(start);
  const argmin = new Int32Array(model.jobs);
  let bound = lagrangian(model, lambda, argmin);
  let best = { bound, lambda: Float64Array.from(lambda) };
  if (rows === 0 || enough(bound)) return best;
  const g = new Float64Array(rows);
  let theta = 1;
  let stall = 0;
  for (let it = 0; it < iterations; it++) {
    // Subgradient: what the priced choices use of each row, less its bound.
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
      if ((lambda[r] as number) <= 0 && (g[r] as number) < 0) g[r] = 0;
      norm += (g[r] as number) * (g[r] as number);
    }
    if (norm === 0) break; // the priced choices fit: λ is optimal
    const step = (theta * Math.max(target - bound, 1e-6 * Math.abs(target))) / norm;
    const next = new Float64Array(rows);
    for (let r = 0; r < rows; r++) next[r] = Math.max(0, (lambda[r] as number) + step * (g[r] as number));
    lambda = next;
    bound = lagrangian(model, lambda, argmin);
    if (bound > best.bound + 1e-9) {
      best = { bound, lambda: Float64Array.from(lambda) };
      stall = 0;
      if (enough(bound)) break;
    } else if (++stall >= 4) {
      theta /= 2;
      stall = 0;
    }
  }
  return best;
}

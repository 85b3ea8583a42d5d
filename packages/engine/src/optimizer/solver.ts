/**
 * A linear (or mixed-integer) program in the form solvers take: minimise colCost·x subject to
 * rowLower ≤ A·x ≤ rowUpper and colLower ≤ x ≤ colUpper, with A in compressed sparse columns.
 * The engine builds models and reads solutions; a solver adapter (HiGHS, outside the engine)
 * solves them. Solving is computation only, so the engine stays pure.
 */
export interface LpModel {
  readonly numCols: number;
  readonly numRows: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  /** CSC: the entries of column j are `starts[j]` .. `starts[j + 1] − 1` of `indices` (rows) and `values`. */
  readonly starts: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
  /** 1 for integer columns. */
  readonly integer: Uint8Array;
}

export interface LpSolveOptions {
  /** Solve with integrality (a MIP), or its LP relaxation. */
  readonly mip: boolean;
  readonly timeLimitS: number;
  /** Relative gap at which a MIP may stop, in percent. */
  readonly gapPct: number;
}

export interface LpResult {
  /** `optimal`: proved (within the gap for a MIP); `time-limit`: stopped with the best found so far. */
  readonly status: 'optimal' | 'time-limit' | 'infeasible' | 'failed';
  /** Column values; empty when there is no solution. */
  readonly x: Float64Array;
  readonly objective: number;
  /** Best proven lower bound (the objective itself for an LP). */
  readonly bound: number;
  /** Seconds the solver ran, by its own clock (the engine reads none). */
  readonly runtimeS: number;
}

export interface Solver {
  readonly name: string;
  solve(model: LpModel, options: LpSolveOptions): LpResult;
}

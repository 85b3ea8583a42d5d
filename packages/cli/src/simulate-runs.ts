import { formatNumber, type Solver } from '@suanli/engine';
import { type ErrorLocation, SuanliError, toSuanliError } from '@suanli/service';
import {
  type RunPlan,
  type RunResult,
  runLabel,
  runScenario,
  type ScenarioPlan,
  type ScenarioReport,
  type SimProgress,
} from '@suanli/sim';

/**
 * Running a scenario's runs one at a time, by index, wherever they run: in this thread, in a worker
 * thread, or as a Slurm array task. Every way gathers the same RunResults, and `reportOf` puts them
 * together exactly as `runScenario` does, so a report is the same bytes however its runs ran.
 */

/** What a way of running the runs tells the command as they go (progress bar, one line per run). */
export interface RunHooks {
  readonly onProgress?: (index: number, p: SimProgress) => void;
  /** `wallS`: the run's own wall time, where the way of running knows it (not on Slurm). */
  readonly onRunEnd?: (index: number, result: RunResult, wallS?: number) => void;
}

/** Whether any run needs the LP solver (a profile whose optimizer runs every cycle). */
export function needsSolver(runs: readonly RunPlan[]): boolean {
  return runs.some((r) => r.profile.optimizer.mode === 'every-cycle');
}

/** HiGHS, loaded only when some of these runs need it (it is a large WebAssembly module). */
export async function solverFor(runs: readonly RunPlan[]): Promise<Solver | undefined> {
  return needsSolver(runs) ? (await import('@suanli/solver')).loadHighsSolver() : undefined;
}

/** Runs run `index` of the plan in this thread: `runScenario` on a plan of that one run. */
export function runOne(
  plan: ScenarioPlan,
  index: number,
  solver: Solver | undefined,
  onProgress?: (p: SimProgress) => void,
): RunResult {
  const run = plan.runs[index];
  if (run === undefined) {
    throw new SuanliError('INVALID_FIELD', `the scenario has runs 0 to ${plan.runs.length - 1}, not ${index}`, {
      field: '--run-index',
    });
  }
  const report = runScenario(
    { ...plan, runs: [run] },
    {
      ...(solver ? { solver } : {}),
      ...(onProgress ? { onProgress: (_i, _n, _run, p) => onProgress(p) } : {}),
    },
  );
  return report.runs[0] as RunResult;
}

/** The report of the plan with these results, in the plan's order: the same object `runScenario` returns. */
export function reportOf(plan: ScenarioPlan, results: readonly RunResult[]): ScenarioReport {
  // The header (format, scenario) is runScenario's own, so the two can never drift apart.
  return { ...runScenario({ ...plan, runs: [] }), runs: results };
}

/** Runs every run of the plan one after the other in this thread (`--jobs 1`, and sources under vitest). */
export async function runSequentially(plan: ScenarioPlan, hooks: RunHooks): Promise<RunResult[]> {
  const solver = await solverFor(plan.runs);
  const results: RunResult[] = [];
  for (let i = 0; i < plan.runs.length; i++) {
    const started = performance.now();
    const result = runOne(plan, i, solver, hooks.onProgress ? (p) => hooks.onProgress?.(i, p) : undefined);
    results.push(result);
    hooks.onRunEnd?.(i, result, (performance.now() - started) / 1000);
  }
  return results;
}

/** `run 2/5 fifo-nearest · dry-year`: how progress and errors name a run. */
export function runName(plan: ScenarioPlan, index: number): string {
  const run = plan.runs[index];
  return `run ${index + 1}/${plan.runs.length}${run ? ` ${runLabel(run)}` : ''}`;
}

/** The line printed when a run ends. */
export function runEndLine(plan: ScenarioPlan, index: number, r: RunResult, wallS?: number): string {
  const s = r.summary;
  const took = wallS !== undefined ? ` (${wallS.toFixed(1)} s)` : '';
  return `${runName(plan, index)}: ${formatNumber(s.jobs.finished)} jobs, average JCT ${(s.jctS.avg / 3600).toFixed(2)} h, ${formatNumber(s.costCny)} CNY, ${formatNumber(s.carbonKg)} kgCO2${took}`;
}

/** A catalog error as plain data, to cross a thread or a process. */
export interface PlainError {
  readonly code: SuanliError['code'];
  readonly message: string;
  readonly location: ErrorLocation;
}

export function toPlainError(e: unknown): PlainError {
  const err = toSuanliError(e);
  return { code: err.code, message: err.message, location: { ...err.location } };
}

export function fromPlainError(e: PlainError): SuanliError {
  return new SuanliError(e.code, e.message, e.location);
}

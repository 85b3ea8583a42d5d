import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SuanliError, toSuanliError } from '@suanli/service';
import type { RunResult, ScenarioPlan } from '@suanli/sim';
import { fromPlainError, type RunHooks, runName } from './simulate-runs.ts';
import type { FromWorker, ToWorker, WorkerInput } from './simulate-worker.ts';

/** The most worker threads `--jobs` may ask for. */
export const MAX_SIMULATE_JOBS = 256;

/** The worker's module: beside this one in dist/. */
const WORKER_URL = new URL('./simulate-worker.js', import.meta.url);

/**
 * Whether runs can go to worker threads: only from the built CLI (dist/*.js). Running the sources
 * (vitest), the worker's `.js` is not beside this module and Node cannot load the `.ts` one, so
 * `suanli simulate` runs the runs in its own thread instead; same report.
 */
export function workersAvailable(): boolean {
  return import.meta.url.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
}

/** `--jobs` when not given: the CPUs Node may use, at most one per run. */
export function defaultJobs(runs: number): number {
  return Math.max(1, Math.min(availableParallelism(), runs));
}

/**
 * Runs the plan's runs in `jobs` worker threads: each loads the scenario file itself and is sent
 * run indices one at a time (the next as soon as it is free, so long runs do not hold up short
 * ones). Results are kept by index, so the report's order is the plan's whatever order runs end in.
 * The first failure stops every worker and rejects with that run's error, its catalog code kept.
 * `workerUrl` is the worker's module (tests give the built one, or one that fails).
 */
export function runInWorkers(
  file: string,
  plan: ScenarioPlan,
  jobs: number,
  hooks: RunHooks,
  workerUrl: URL = WORKER_URL,
): Promise<RunResult[]> {
  const n = plan.runs.length;
  const results: (RunResult | undefined)[] = new Array(n).fill(undefined);
  const input: WorkerInput = { file, progress: hooks.onProgress !== undefined };
  const workers: Worker[] = [];
  return new Promise<RunResult[]>((resolve, reject) => {
    let next = 0;
    let done = 0;
    let settled = false;
    const finish = (error?: SuanliError) => {
      if (settled) return;
      settled = true;
      // Idle or not, every worker goes: a failure stops the runs still going.
      void Promise.all(workers.map((w) => w.terminate())).finally(() => {
        if (error) reject(error);
        else resolve(results as RunResult[]);
      });
    };
    const startedAt: number[] = [];
    const start = (worker: Worker, current: { index: number }) => {
      if (next >= n) return;
      current.index = next++;
      startedAt[current.index] = performance.now();
      worker.postMessage({ type: 'run', index: current.index } satisfies ToWorker);
    };
    for (let w = 0; w < Math.min(jobs, n); w++) {
      const worker = new Worker(workerUrl, { workerData: input, execArgv: builtExecArgv(process.execArgv) });
      workers.push(worker);
      const current = { index: -1 };
      worker.on('message', (m: FromWorker) => {
        if (settled) return;
        if (m.type === 'progress') hooks.onProgress?.(m.index, m.progress);
        else if (m.type === 'failed') finish(fromPlainError(m.error));
        else {
          results[m.index] = m.result;
          done++;
          hooks.onRunEnd?.(m.index, m.result, (performance.now() - (startedAt[m.index] ?? 0)) / 1000);
          if (done === n) finish();
          else start(worker, current);
        }
      });
      // An exception outside a run's own handling, or the thread out of memory.
      worker.on('error', (e) => finish(toSuanliError(e)));
      worker.on('exit', (code) => {
        if (settled) return;
        const during = current.index >= 0 ? ` during ${runName(plan, current.index)}` : '';
        finish(new SuanliError('INTERNAL', `a simulation worker stopped with exit code ${code}${during}`));
      });
      start(worker, current);
    }
  });
}

/**
 * The worker's Node flags: this process's, less the `suanli:source` condition (vitest sets it), which
 * would point the built worker's imports at TypeScript sources Node cannot load.
 */
export function builtExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if ((a === '--conditions' || a === '-C') && argv[i + 1] === 'suanli:source') i++;
    else if (a !== '--conditions=suanli:source' && a !== '-C=suanli:source') out.push(a);
  }
  return out;
}

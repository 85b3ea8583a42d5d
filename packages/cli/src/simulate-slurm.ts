import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCode, SuanliError } from '@suanli/service';
import type { RunResult, ScenarioPlan } from '@suanli/sim';
import type { SweepProgress } from './simulate-progress.ts';
import { readRunFile, runFilePath } from './simulate-run-file.ts';
import { type RunHooks, runName } from './simulate-runs.ts';
import { FAILED_STATES, SlurmArrays, type SlurmTask, slurmSettings } from './simulate-slurm-rest.ts';

/**
 * `suanli simulate SCENARIO --slurm`: the scenario's runs as one Slurm job array, one array task per
 * run. Each task runs this CLI on the same scenario with `--run-index $SLURM_ARRAY_TASK_ID`, which
 * writes that run's result into a folder of its own under `sharedDir`; this command follows the
 * array through slurmrestd, reads each result as its task completes, and returns them in the
 * plan's order, so the report is the one a local run writes. The folder, the scenario with every
 * file it names, Node and this repository must be at the same paths on every Slurm node: on a real
 * cluster, a shared filesystem (slurm-up.sh's cluster runs on this machine, so any local path is).
 */

export interface SlurmSweep {
  /** The scenario file, absolute. */
  readonly file: string;
  readonly plan: ScenarioPlan;
  /** Where the array's folder is made (on a filesystem every node sees). */
  readonly sharedDir: string;
  /** How long the whole array may take, from submission; also each task's time limit. */
  readonly timeoutS: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Between two looks at the array (default 1 s). */
  readonly pollMs?: number;
}

/** The built CLI the tasks run (bin/suanli.js imports dist/main.js). */
const CLI_BIN = fileURLToPath(new URL('../bin/suanli.js', import.meta.url));

/** How long slurmrestd may go unanswered while the array runs before the command gives up. */
const UNREACHABLE_LIMIT_MS = 60_000;
/** Polls a completed task's result file may stay unseen (a shared filesystem's lag) before it is an error. */
const MISSING_POLLS = 30;

export async function runOnSlurm(sweep: SlurmSweep, hooks: RunHooks, progress: SweepProgress): Promise<RunResult[]> {
  const { plan } = sweep;
  const n = plan.runs.length;
  const slurm = new SlurmArrays(slurmSettings(sweep.env));
  mkdirSync(sweep.sharedDir, { recursive: true });
  const dir = mkdtempSync(join(sweep.sharedDir, 'slurm-'));
  let arrayId: number;
  try {
    arrayId = await slurm.submit(arrayJob(sweep, dir, slurm.partition));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  progress.line(
    `submitted Slurm job array ${arrayId}: ${n} task${n === 1 ? '' : 's'}, one per run (results in ${dir})`,
  );

  const stop = () => {
    progress.line(`cancelling Slurm job array ${arrayId}`);
    void slurm.cancel(arrayId).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const results = await follow(sweep, slurm, arrayId, dir, hooks, progress);
    rmSync(dir, { recursive: true, force: true });
    return results;
  } catch (e) {
    await slurm.cancel(arrayId).catch(() => undefined);
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The job array's description for slurmrestd v0.0.38's POST /job/submit. */
function arrayJob(sweep: SlurmSweep, dir: string, partition: string | undefined) {
  const node = process.execPath;
  const limitMin = Math.max(1, Math.ceil(sweep.timeoutS / 60));
  return {
    script: [
      '#!/bin/bash',
      `# suanli simulate ${sweep.plan.name}: one run of the scenario per array task`,
      `exec ${sh(node)} ${sh(CLI_BIN)} simulate ${sh(sweep.file)} --run-index "$SLURM_ARRAY_TASK_ID" --out ${sh(dir)}`,
      '',
    ].join('\n'),
    job: {
      name: `suanli-sim-${sweep.plan.name}`,
      array: `0-${sweep.plan.runs.length - 1}`,
      time_limit: limitMin,
      ...(partition ? { partition } : {}),
      comment: `suanli simulate ${sweep.file}`,
      current_working_directory: dir,
      standard_output: join(dir, 'task-%a.out'),
      standard_error: join(dir, 'task-%a.err'),
      environment: {
        PATH: [dirname(node), sweep.env['PATH'] || '/usr/local/bin:/usr/bin:/bin'].join(':'),
        HOME: sweep.env['HOME'] || dir,
        SUANLI_NODE: node,
      },
    },
  };
}

/** Pending reasons under which Slurm will never start a task: waiting on is pointless. */
const NEVER_STARTS: ReadonlySet<string> = new Set([
  'PartitionTimeLimit',
  'PartitionNodeLimit',
  'BadConstraints',
  'QOSMaxWallDurationPerJobLimit',
  'InvalidAccount',
  'InvalidQOS',
]);

/** Follows the array until every task's result is read, a task fails, or the time is up. */
async function follow(
  sweep: SlurmSweep,
  slurm: SlurmArrays,
  arrayId: number,
  dir: string,
  hooks: RunHooks,
  progress: SweepProgress,
): Promise<RunResult[]> {
  const { plan } = sweep;
  const n = plan.runs.length;
  const results: (RunResult | undefined)[] = new Array(n).fill(undefined);
  const unseen = new Array<number>(n).fill(0);
  const deadline = Date.now() + sweep.timeoutS * 1000;
  let lastAnswer = Date.now();
  let gathered = 0;
  /** Where task `i` stands; reads its result once it completed. */
  const look = (i: number, task: SlurmTask | undefined): 'done' | 'pending' | 'running' => {
    if (task && FAILED_STATES.has(task.state)) throw taskFailed(plan, arrayId, dir, task);
    if (task?.state === 'PENDING' && task.reason && NEVER_STARTS.has(task.reason)) {
      throw new SuanliError(
        'INVALID_FIELD',
        `Slurm will not start task ${i} of job array ${arrayId} (${task.reason}): the tasks' time limit is --slurm-timeout (${Math.ceil(sweep.timeoutS / 60)} min), or the partition (SUANLI_SLURM_PARTITION) does not fit`,
      );
    }
    if (task === undefined || task.state === 'COMPLETED') {
      if (existsSync(runFilePath(dir, i))) {
        results[i] = readRunFile(dir, plan, i);
        gathered++;
        hooks.onRunEnd?.(i, results[i]);
        return 'done';
      }
      // Completed but its file not seen yet (a shared filesystem lags), or gone from Slurm without one.
      unseen[i] = (unseen[i] ?? 0) + 1;
      if ((unseen[i] ?? 0) >= MISSING_POLLS) throw taskLost(plan, arrayId, dir, i, task);
      return 'running';
    }
    return task.state === 'PENDING' ? 'pending' : 'running';
  };
  for (;;) {
    let tasks: Map<number, SlurmTask> | undefined;
    try {
      tasks = await slurm.tasks(arrayId);
      lastAnswer = Date.now();
    } catch (e) {
      // One missed answer does not fail a long sweep; a minute of them does.
      if (Date.now() - lastAnswer > UNREACHABLE_LIMIT_MS) throw e;
    }
    if (tasks) {
      const counts = { done: 0, pending: 0, running: 0 };
      for (let i = 0; i < n; i++) if (!results[i]) counts[look(i, tasks.get(i))]++;
      if (gathered === n) return results as RunResult[];
      const reasons = [
        ...new Set([...tasks.values()].flatMap((t) => (t.state === 'PENDING' && t.reason ? [t.reason] : []))),
      ];
      progress.status(
        gathered / n,
        `Slurm job array ${arrayId}: ${gathered}/${n} runs done, ${counts.running} running, ${counts.pending} pending${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
      );
    }
    if (Date.now() > deadline) {
      const left = results.flatMap((r, i) => (r ? [] : [i]));
      throw new SuanliError(
        'INTERNAL',
        `Slurm job array ${arrayId} did not finish within --slurm-timeout ${sweep.timeoutS} s: tasks ${left.join(', ')} still unfinished (cancelled)`,
      );
    }
    await new Promise((r) => setTimeout(r, sweep.pollMs ?? 1000));
  }
}

/** The error of a task that ended without success: its index, run, Slurm state, exit code and last line of stderr. */
function taskFailed(plan: ScenarioPlan, arrayId: number, dir: string, task: SlurmTask): SuanliError {
  const said = lastLine(join(dir, `task-${task.index}.err`));
  const caught = /^suanli: (.*) \[([A-Z_]+)\]$/.exec(said);
  const code =
    caught && (ERROR_CODES as readonly string[]).includes(caught[2] ?? '') ? (caught[2] as ErrorCode) : 'INTERNAL';
  const how = [
    task.state,
    task.exitCode ? `exit code ${task.exitCode}` : '',
    task.reason && task.reason !== 'NonZeroExitCode' ? task.reason : '',
  ]
    .filter(Boolean)
    .join(', ');
  const why = caught ? (caught[1] ?? '') : said || `no message (logs in ${dir})`;
  return new SuanliError(
    code,
    `Slurm task ${task.index} of job array ${arrayId} (${runName(plan, task.index)}) ${how}: ${why}`,
  );
}

function taskLost(
  plan: ScenarioPlan,
  arrayId: number,
  dir: string,
  index: number,
  task: SlurmTask | undefined,
): SuanliError {
  const what = task
    ? `${task.state} without writing ${runFilePath(dir, index)}`
    : 'is no longer known to Slurm and wrote no result';
  return new SuanliError('INTERNAL', `Slurm task ${index} of job array ${arrayId} (${runName(plan, index)}) ${what}`);
}

/** The last line of a task's stderr: a failing `suanli` says why there, in one line. */
function lastLine(path: string): string {
  try {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    return lines[lines.length - 1] ?? '';
  } catch {
    return '';
  }
}

/** A word for bash, quoted. */
function sh(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

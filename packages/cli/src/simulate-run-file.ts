import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SuanliError } from '@suanli/service';
import type { RunResult, ScenarioPlan } from '@suanli/sim';

/**
 * One run's result as a file: what `suanli simulate SCENARIO --run-index I --out DIR` writes (a
 * Slurm array task) and the command that submitted the array gathers. JSON, with the numbers JSON
 * cannot hold (Infinity, NaN, -0) written as `{"$number": "…"}` so a result read back is the one
 * computed, and the report built from it is the same bytes as a local run's.
 */

export const RUN_FILE_FORMAT = 'suanli-simulation-run/1';

interface RunFile {
  readonly format: typeof RUN_FILE_FORMAT;
  readonly scenario: string;
  readonly index: number;
  readonly runs: number;
  readonly result: RunResult;
}

export function runFilePath(dir: string, index: number): string {
  return join(dir, `run-${index}.json`);
}

/** Writes run `index`'s result into `dir`, whole or not at all (a reader never sees half a file). */
export function writeRunFile(dir: string, plan: ScenarioPlan, index: number, result: RunResult): string {
  const path = runFilePath(dir, index);
  const file: RunFile = { format: RUN_FILE_FORMAT, scenario: plan.name, index, runs: plan.runs.length, result };
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(file, encodeNumber)}\n`);
  renameSync(partial, path);
  return path;
}

/**
 * Reads run `index`'s result back, checking that it is that run of this scenario (a task that ran
 * another version of the file would otherwise slip a wrong run into the report).
 */
export function readRunFile(dir: string, plan: ScenarioPlan, index: number): RunResult {
  const path = runFilePath(dir, index);
  let file: RunFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8'), decodeNumber) as RunFile;
  } catch (e) {
    throw new SuanliError('INTERNAL', `cannot read run ${index}'s result ${path}: ${(e as Error).message}`);
  }
  const run = plan.runs[index];
  const r = file?.result;
  if (
    file?.format !== RUN_FILE_FORMAT ||
    file.scenario !== plan.name ||
    file.index !== index ||
    file.runs !== plan.runs.length ||
    r?.policy !== run?.policy ||
    r?.variant !== run?.variant
  ) {
    throw new SuanliError(
      'INTERNAL',
      `${path} is not run ${index} of scenario ${plan.name} as this command read it: was the scenario file changed while it ran?`,
    );
  }
  return r;
}

function encodeNumber(_key: string, v: unknown): unknown {
  if (typeof v !== 'number' || (Number.isFinite(v) && !Object.is(v, -0))) return v;
  return { $number: Object.is(v, -0) ? '-0' : String(v) };
}

function decodeNumber(_key: string, v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  const n = (v as { $number?: unknown }).$number;
  if (keys.length !== 1 || typeof n !== 'string') return v;
  return n === '-0' ? -0 : Number(n);
}

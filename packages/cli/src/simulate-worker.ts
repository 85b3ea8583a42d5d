import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Solver } from '@suanli/engine';
import { loadScenarioFile } from '@suanli/service';
import type { RunResult, ScenarioPlan, SimProgress } from '@suanli/sim';
import { type PlainError, runOne, solverFor, toPlainError } from './simulate-runs.ts';

/**
 * A worker thread of `suanli simulate --jobs N`. It loads the scenario file itself (a plan holds
 * functions and generators, which cannot cross threads), then runs the runs it is sent, one at a
 * time by index, and answers each with its RunResult. Every message is plain data.
 */

export interface WorkerInput {
  /** The scenario file, absolute. */
  readonly file: string;
  /** Whether to send progress (only a terminal shows it). */
  readonly progress: boolean;
}

/** Run this run (the pool sends the next when the last is done; it terminates idle workers at the end). */
export interface ToWorker {
  readonly type: 'run';
  readonly index: number;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly index: number; readonly progress: SimProgress }
  | { readonly type: 'done'; readonly index: number; readonly result: RunResult }
  | { readonly type: 'failed'; readonly index: number; readonly error: PlainError };

function serve(port: MessagePort, input: WorkerInput): void {
  let plan: ScenarioPlan | undefined;
  let highs: Promise<Solver | undefined> | undefined;
  const send = (m: FromWorker) => port.postMessage(m);
  const run = async (index: number) => {
    try {
      plan ??= loadScenarioFile(input.file);
      // HiGHS once per thread, when some run of the scenario needs it, and then given to every
      // run as a sequential run gives it: the same runs whatever thread they run in.
      highs ??= solverFor(plan.runs);
      const solver = await highs;
      const result = runOne(
        plan,
        index,
        solver,
        input.progress ? (progress) => send({ type: 'progress', index, progress }) : undefined,
      );
      send({ type: 'done', index, result });
    } catch (e) {
      send({ type: 'failed', index, error: toPlainError(e) });
    }
  };
  port.on('message', (m: ToWorker) => void run(m.index));
}

if (!isMainThread && parentPort) serve(parentPort, workerData as WorkerInput);

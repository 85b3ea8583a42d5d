import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ComposeOptions } from './compose.ts';
import type { CycleSink, SchedulerLoop } from './scheduler-loop.ts';
import type { WorkerData, WorkerMessage } from './scheduler-worker.ts';

const WORKER_FILE = new URL('./scheduler-worker.js', import.meta.url);

/** Whether the scheduler can run in a worker thread: the built worker file is there (not when running sources). */
export function workerAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_FILE));
}

/**
 * Starts the scheduler in a worker thread, so a cycle over thousands of pending jobs never holds up
 * a request. Resolves once the worker's service is built; its cycles' figures go to `sink`.
 */
export async function startSchedulerThread(
  options: ComposeOptions,
  cycleMs: number,
  graceMs: number,
  log: Logger,
  sink: CycleSink,
): Promise<SchedulerLoop> {
  const data: WorkerData = { options, cycleMs, graceMs };
  const worker = new Worker(WORKER_FILE, { workerData: data });
  let stopped: (() => void) | undefined;
  await new Promise<void>((ready, fail) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'failed') fail(new Error(`the scheduler could not start: ${m.message}`));
      else if (m.type === 'cycle') sink.cycle(m.report, m.seconds);
      else if (m.type === 'stopped') stopped?.();
    });
    worker.once('error', (e) => {
      log.error({ err: e }, 'the scheduler thread failed');
      fail(e);
    });
    worker.once('exit', (code) => {
      if (code !== 0) log.warn({ code }, 'the scheduler thread exited');
    });
  });
  return {
    async stop() {
      const done = new Promise<void>((ok) => {
        stopped = ok;
        worker.once('exit', () => ok());
      });
      worker.postMessage('stop');
      // Past the grace period (and a margin for closing the store), the thread is ended.
      const cut = setTimeout(() => void worker.terminate(), graceMs + 2000);
      await done;
      clearTimeout(cut);
      await worker.terminate();
    },
  };
}

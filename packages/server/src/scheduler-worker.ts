import { parentPort, workerData } from 'node:worker_threads';
import type { CycleReport } from '@suanli/service';
import { pino } from 'pino';
import { type ComposeOptions, composeService } from './compose.ts';
import { startSchedulerLoop } from './scheduler-loop.ts';

/**
 * The scheduler in a worker thread: a service of its own (its own store connection and ledger, fed
 * from the store like any other process), running the cycles, the hand-overs and the backend polls
 * off the thread that answers requests. It tells the HTTP thread each cycle's figures (metrics).
 */
export interface WorkerData {
  readonly options: ComposeOptions;
  readonly cycleMs: number;
  readonly graceMs: number;
}

/** Messages the worker sends to the HTTP thread. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'cycle'; readonly report: CycleReport; readonly seconds: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'stopped' };

const port = parentPort;
if (port) {
  const data = workerData as WorkerData;
  const log = pino({ name: 'suanli', base: { thread: 'scheduler' } });
  const send = (m: WorkerMessage) => port.postMessage(m);
  try {
    const { service, store } = await composeService(data.options, log);
    const loop = startSchedulerLoop(service, data.cycleMs, log, {
      cycle: (report, seconds) => send({ type: 'cycle', report, seconds }),
    });
    port.on('message', (m: unknown) => {
      if (m !== 'stop') return;
      loop
        .stop(data.graceMs)
        .then(() => store.close())
        .catch((e: unknown) => log.error({ err: e }, 'the scheduler did not stop cleanly'))
        .finally(() => {
          send({ type: 'stopped' });
          port.close();
        });
    });
    send({ type: 'ready' });
  } catch (e) {
    log.error({ err: e }, 'the scheduler could not start');
    send({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
    port.close();
  }
}

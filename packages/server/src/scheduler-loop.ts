import type { SuanliService } from '@suanli/service';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';

export interface SchedulerLoop {
  /** Stops the loop and waits for a cycle in progress to end. */
  stop(): Promise<void>;
}

/**
 * Runs the service's cycle every `intervalMs`: first learn what the backends did, then decide and
 * dispatch. Cycles never overlap; a failed cycle is logged and the next one runs as planned.
 */
export function startSchedulerLoop(
  service: SuanliService,
  intervalMs: number,
  log: Logger,
  metrics?: Metrics,
): SchedulerLoop {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  let leading = false;
  const cycle = async () => {
    try {
      // Several servers on one database: only the one holding the leadership schedules.
      const leads = await service.leads();
      if (leads !== leading) log.info({ leading: leads }, leads ? 'leading: this process schedules' : 'standing by');
      leading = leads;
      if (!leads) return;
      const t0 = performance.now();
      const changed = await service.syncBackends();
      const report = await service.schedule();
      metrics?.cycle(report, (performance.now() - t0) / 1000);
      if (changed > 0 || report.placed > 0 || report.dispatched > 0) {
        log.info({ changed, ...report }, 'cycle');
      }
    } catch (e) {
      log.error({ err: e }, 'scheduling cycle failed');
    }
  };
  const tick = () => {
    if (stopped) return;
    running = cycle().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

import type { CycleReport, SuanliService } from '@suanli/service';
import type { Logger } from 'pino';

/** Where a cycle's figures go (the metrics, or the HTTP thread from a worker). */
export interface CycleSink {
  cycle(report: CycleReport, seconds: number): void;
}

export interface SchedulerLoop {
  /** Stops the loop and waits for a cycle in progress to end, at most `graceMs` when given. */
  stop(graceMs?: number): Promise<void>;
}

/** What the last leader election said. */
type Role = 'leading' | 'standing by' | 'failing';

/**
 * Asks for the leadership each cycle; says whether this process leads. It logs changes only: a
 * start or end of leading, and a failing election (the database unreachable, the leadership lost)
 * once when it starts failing, with the count of failed tries once it succeeds again.
 */
function leaderElection(service: SuanliService, log: Logger): () => Promise<boolean> {
  let role: Role = 'standing by';
  let failedTries = 0;
  return async () => {
    let leads: boolean;
    try {
      leads = await service.leads();
    } catch (e) {
      failedTries++;
      if (role !== 'failing') log.error({ err: e }, 'leader election failed: not scheduling until it succeeds');
      role = 'failing';
      return false;
    }
    const now: Role = leads ? 'leading' : 'standing by';
    if (now !== role) {
      log.info(
        { leading: leads, ...(failedTries > 0 ? { failedTries } : {}) },
        leads ? 'leading: this process schedules' : 'standing by',
      );
    }
    role = now;
    failedTries = 0;
    return leads;
  };
}

/**
 * Runs the service's cycle every `intervalMs`: first learn what the backends did, then decide and
 * dispatch. Cycles never overlap; a failed cycle is logged and the next one runs as planned.
 */
export function startSchedulerLoop(
  service: SuanliService,
  intervalMs: number,
  log: Logger,
  metrics?: CycleSink,
): SchedulerLoop {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const elect = leaderElection(service, log);
  const cycle = async () => {
    try {
      // Several servers on one database: only the one holding the leadership schedules.
      if (!(await elect())) return;
      const t0 = performance.now();
      const changed = await service.syncBackends();
      const report = await service.schedule();
      metrics?.cycle(report, (performance.now() - t0) / 1000);
      if (changed > 0 || report.placed > 0 || report.dispatched > 0) {
        log.info({ changed, ...report }, 'cycle');
      }
    } catch (e) {
      log.error({ err: e }, 'scheduling cycle failed');
      return;
    }
    try {
      await service.history.record();
    } catch (e) {
      log.warn({ err: e }, 'cannot record the history sample');
    }
  };
  /** The step of history in progress is written when the loop stops. */
  const flush = () =>
    service.history.flush().catch((e: unknown) => log.warn({ err: e }, 'cannot write the last history sample'));
  const tick = () => {
    if (stopped) return;
    running = cycle().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();

  return {
    async stop(graceMs?: number) {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (graceMs === undefined) {
        await running;
        await flush();
        return;
      }
      // A cycle's writes are each durable on their own: one cut short leaves the store consistent,
      // and the next start picks the work up again.
      let wait: NodeJS.Timeout | undefined;
      const late = new Promise<void>((ok) => {
        wait = setTimeout(() => {
          log.warn({ graceMs }, 'a scheduling cycle was still running at shutdown; abandoning it');
          ok();
        }, graceMs);
      });
      await Promise.race([running, late]);
      clearTimeout(wait);
      await flush();
    },
  };
}

import { afterFailure, type FailureClass } from '@suanli/engine';
import { ACTIVE_STATES, type FailedRun, type JobRecord, toEngineJob } from '../job-record.ts';
import type { BackendStatus } from '../ports/backend.ts';
import type { UseCaseContext } from './context.ts';

/** The class of a failed run: the backend's, or from the exit code (a program's own non-zero exit is a user error). */
export function failureClassOf(s: Pick<BackendStatus, 'failureClass' | 'exitCode'>): FailureClass {
  if (s.failureClass) return s.failureClass;
  return s.exitCode !== undefined && s.exitCode !== 0 ? 'user-error' : 'node-failure';
}

/**
 * A backend reported a run failed: the engine's recovery decision (the one the simulator takes)
 * says whether the job goes back to the queue — whole, gang and all, after its back-off, with the
 * work up to its last checkpoint kept — or fails for good. Written with its audit entry; the
 * ledger takes the record as it takes a preempted one.
 */
export async function recordFailure(
  ctx: UseCaseContext,
  job: JobRecord,
  s: BackendStatus,
  nowS: number,
  timeScale: number,
  /** The run was cut off (its site is out) and may still run there: its fence is pending. */
  cutOff = false,
): Promise<JobRecord | undefined> {
  const p = job.placement;
  const endedAtS = s.endedAtS ?? nowS;
  const startedAtS = job.startedAtS ?? s.startedAtS;
  // Seconds of work on the placement's accelerators (a fast simulated backend runs `timeScale` a second).
  const ranS = startedAtS !== undefined ? Math.max(0, endedAtS - startedAtS) * timeScale : 0;
  const failureClass = failureClassOf(s);
  const queued = toEngineJob(job);
  const restarts = job.restarts ?? 0;
  const decision = afterFailure(
    queued,
    {
      failureClass,
      ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
      siteId: p?.siteId ?? '?',
      ranS,
    },
    restarts,
    // The back-off counts from the failure (the simulator's clock is there too), not from when it was learnt.
    endedAtS,
  );
  const run: FailedRun = {
    attempt: job.attempt ?? 1,
    siteId: p?.siteId ?? '?',
    poolId: p?.poolId ?? '?',
    failureClass,
    ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
    atS: endedAtS,
    ranS,
    keptS: decision.retry ? decision.keptS : 0,
    lostS: decision.lostS,
    outcome: decision.reason,
    ...(cutOff && job.backend && job.externalId
      ? { backend: job.backend, externalId: job.externalId, fence: 'pending' as const }
      : {}),
  };
  const failures = [...(job.failures ?? []), run];
  const audit = {
    attempt: run.attempt,
    // Metering reads the start from here when the run ended before a poll saw it running.
    ...(job.startedAtS === undefined && startedAtS !== undefined ? { startedAtS } : {}),
    siteId: run.siteId,
    poolId: run.poolId,
    failureClass,
    ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
    ranS: Math.round(ranS),
    lostS: Math.round(decision.lostS),
  };
  if (!decision.retry) {
    return ctx.store.transitionJob(
      job.id,
      ACTIVE_STATES,
      {
        state: 'failed',
        startedAtS: startedAtS ?? endedAtS,
        endedAtS,
        ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
        message: s.message ? `${s.message}: ${decision.reason}` : decision.reason,
        failures,
        updatedAtS: nowS,
      },
      { atS: nowS, kind: 'job.failed', subject: job.id, data: { endedAtS, ...audit, reason: decision.reason } },
    );
  }
  // Work is counted on the first accelerator choice (as the queue's estimates are).
  const scale = p && queued.durationS > 0 ? p.estimate.durationS / queued.durationS : 1;
  return ctx.store.transitionJob(
    job.id,
    ACTIVE_STATES,
    {
      state: 'pending',
      restarts: decision.restart,
      notBeforeS: decision.notBeforeS,
      ...(decision.sites ? { retrySites: decision.sites } : {}),
      ...(decision.keptS > 0 && p ? { checkpointSiteId: p.siteId } : {}),
      attainedS: (job.attainedS ?? 0) + (p?.count ?? 0) * ranS,
      // From the beginning when its checkpoint is out of reach: earlier runs' work is lost too.
      doneS: decision.fromScratch ? 0 : (job.doneS ?? 0) + (scale > 0 ? decision.keptS / scale : decision.keptS),
      failures,
      message: decision.reason,
      updatedAtS: nowS,
      clear: [
        'placement',
        'backend',
        'externalId',
        'startedAtS',
        'endedAtS',
        'exitCode',
        'placedAtS',
        'gridCap',
        ...(decision.fromScratch ? (['checkpointSiteId'] as const) : []),
      ],
    },
    {
      atS: nowS,
      kind: 'job.retried',
      subject: job.id,
      data: {
        ...audit,
        keptS: Math.round(decision.keptS),
        restart: decision.restart,
        notBeforeS: decision.notBeforeS,
        ...(decision.sites ? { sites: decision.sites } : {}),
        reason: decision.reason,
      },
    },
  );
}

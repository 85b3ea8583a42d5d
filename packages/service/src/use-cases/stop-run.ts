import { keptWorkS, type Preemption } from '@suanli/engine';
import { type JobRecord, toEngineJob } from '../job-record.ts';
import type { UseCaseContext } from './context.ts';
import type { Dispatch } from './dispatch.ts';
import { timeScaleOf } from './time-scale.ts';

/**
 * Stops a running job (to make room for another, or because a grid event's plan says so), on its
 * backend and in the store, with what it has done: the service it attained and the work left of
 * its estimate, as the simulator keeps them. Undefined when it is not placed or running any more.
 */
export async function stopRun(
  ctx: UseCaseContext,
  dispatch: Dispatch,
  v: Preemption,
  by: string,
  nowS: number,
): Promise<JobRecord | undefined> {
  const job = ctx.live.record(v.jobId) ?? (await ctx.store.getJob(v.jobId));
  if (!job || (job.state !== 'scheduled' && job.state !== 'running') || !job.placement) return undefined;
  if (job.externalId && job.backend) await dispatch.backend(job.backend).cancel(job.externalId);
  const p = job.placement;
  const ranS = Math.max(0, nowS - (job.startedAtS ?? p.estimate.startS)) * timeScaleOf(ctx, job);
  const queued = toEngineJob(job);
  const scale = queued.durationS > 0 ? p.estimate.durationS / queued.durationS : 1;
  // A job that checkpoints keeps the work to its last checkpoint; one that does not declare it saves its state when stopped.
  const keptS = job.spec.checkpoint ? keptWorkS(job.spec, ranS) : ranS;
  return ctx.store.transitionJob(
    v.jobId,
    ['scheduled', 'running'],
    {
      state: 'pending',
      message: v.reason,
      updatedAtS: nowS,
      attainedS: (job.attainedS ?? 0) + p.count * ranS,
      doneS: (job.doneS ?? 0) + (scale > 0 ? keptS / scale : keptS),
      ...(job.spec.checkpoint && keptS > 0 ? { checkpointSiteId: p.siteId } : {}),
      clear: ['placement', 'backend', 'externalId', 'startedAtS', 'placedAtS', 'gridCap'],
    },
    { atS: nowS, kind: 'job.preempted', subject: v.jobId, data: { by, poolId: v.poolId, count: v.count } },
  );
}

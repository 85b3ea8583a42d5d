import type { PostFilterPlugin } from '../../framework/plugin.ts';
import { nominate } from '../preemption/nominate.ts';

export const PREEMPT_BY_ORDER = 'preempt-by-order';

export interface PreemptByOrderArgs {
  /** At most this many pools are tried. */
  readonly maxPools: number;
}

/**
 * Preemption by queue order, for the orders that running jobs take part in (SRTF, LAS): when a
 * queued job cannot start now, it stops running preemptible jobs that rank behind it under the
 * profile's queue sort (`rank`), those furthest behind first. Stopped jobs go back to the queue
 * with the service they had (checkpoint and resume). A queue sort without a rank makes this a no-op.
 */
export function preemptByOrder(args: PreemptByOrderArgs): PostFilterPlugin {
  return {
    name: PREEMPT_BY_ORDER,
    postFilter(cycle, job, evaluation) {
      const rank = cycle.queueSort?.rank;
      if (!rank) return null;
      const mine = rank.job(job, cycle);
      const theirs = new Map<string, number>();
      const of = (jobId: string, compute: () => number): number => {
        let r = theirs.get(jobId);
        if (r === undefined) {
          r = compute();
          theirs.set(jobId, r);
        }
        return r;
      };
      return nominate(cycle, job, evaluation, args.maxPools, {
        eligible: (v) => v.preemptible && of(v.jobId, () => rank.running(v, cycle)) > mine,
        order: (a, b) => of(b.jobId, () => rank.running(b, cycle)) - of(a.jobId, () => rank.running(a, cycle)),
        cost: () => 0,
        reason: (v) =>
          `preempted by ${job.id}, which goes first under ${cycle.queueSort?.name} (${fmt(mine)} before ${fmt(of(v.jobId, () => rank.running(v, cycle)))})`,
        reclaim: false,
      });
    },
    mayAct(cycle, job) {
      const rank = cycle.queueSort?.rank;
      if (!rank) return false;
      const highest = cycle.state(PREEMPT_BY_ORDER, () => {
        let max = Number.NEGATIVE_INFINITY;
        for (const a of cycle.allAllocations()) if (a.preemptible) max = Math.max(max, rank.running(a, cycle));
        return max;
      });
      return highest > rank.job(job, cycle);
    },
  };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

import type { Job } from '../../domain/job.ts';
import type { Allocation } from '../../domain/snapshot.ts';
import type { Cycle } from '../../framework/cycle.ts';
import type { PostFilterPlugin } from '../../framework/plugin.ts';
import { lostIfStoppedS } from '../../ledger/allocation.ts';
import { headroom, isBorrowing, queueOf } from '../quota/quota-math.ts';
import { nominate } from './nominate.ts';

export const PREEMPTION = 'preemption';

export interface PreemptionArgs {
  /** Only jobs whose best option waits longer than this (or have none) preempt. */
  readonly minWaitS: number;
  /** At most this many pools are tried, best-scored sites first. */
  readonly maxPools: number;
}

/**
 * Makes room for a job that cannot start now by stopping running jobs (Kueue's policies):
 *
 * - within a cluster queue, lower-priority jobs (`withinClusterQueue: LowerPriority`);
 * - across a cohort, jobs of queues that borrow, when the job's own queue is under its nominal
 *   quota (`reclaimWithinCohort`: `Any`, or `LowerPriority` for lower-priority ones only);
 * - for tenants without a cluster queue, lower-priority jobs on the same pool.
 *
 * Only jobs marked preemptible are stopped. Of the ways to make room it picks the fewest victims,
 * then the lowest priorities, then the least work lost since the victims' last checkpoints, then
 * the fewest accelerators; victims are tried lowest priority, least work lost and most recently
 * started first, and any victim not needed is spared. The reason states a victim's loss.
 */
export function preemption(args: PreemptionArgs): PostFilterPlugin {
  return {
    name: PREEMPTION,
    postFilter(cycle, job, evaluation) {
      const best = evaluation.ranked[0];
      if (best && best.option.startS - cycle.nowS - best.option.staging.transferS <= args.minWaitS) return null;
      return nominate(cycle, job, evaluation, args.maxPools, {
        eligible: (v, flavour) => eligible(cycle, job, v, flavour),
        order: (a, b) =>
          a.priority - b.priority ||
          lostIfStoppedS(a, cycle.nowS) - lostIfStoppedS(b, cycle.nowS) ||
          b.startS - a.startS,
        cost: (v) => v.priority,
        reason: (v) =>
          `preempted by ${job.id} (priority ${job.priority} over ${v.priority}${reclaims(cycle, job, v) ? ', reclaiming borrowed quota' : ''})`,
        reclaim: true,
      });
    },
    mayAct(cycle, job) {
      const lowest = cycle.state(PREEMPTION, () => {
        let min = Number.POSITIVE_INFINITY;
        for (const a of cycle.allAllocations()) if (a.preemptible && a.priority < min) min = a.priority;
        return min;
      });
      if (lowest < job.priority) return true;
      // Reclaiming: the job's queue is under its nominal quota of a flavour that another queue of its cohort borrows.
      const mine = queueOf(cycle, job.tenant);
      if (!mine || mine.cohort === undefined || mine.preemption.reclaimWithinCohort === 'Never') return false;
      const others = (cycle.net.cohorts.get(mine.cohort) ?? []).filter((q) => q !== mine);
      return job.options.some((o) => {
        const h = headroom(cycle, mine, o.accelerator);
        return h.used < h.nominal && others.some((q) => isBorrowing(cycle, q, o.accelerator));
      });
    },
  };
}

function reclaims(cycle: Cycle, job: Job, v: Allocation): boolean {
  const mine = queueOf(cycle, job.tenant);
  const theirs = queueOf(cycle, v.tenant);
  return !!mine && !!theirs && mine !== theirs;
}

/** Whether `job` may stop `v` under the queues' preemption policies. */
function eligible(cycle: Cycle, job: Job, v: Allocation, flavour: string): boolean {
  if (!v.preemptible) return false;
  const mine = queueOf(cycle, job.tenant);
  const theirs = queueOf(cycle, v.tenant);
  if (!mine || !theirs) return !mine && !theirs && v.priority < job.priority;
  if (mine === theirs) return mine.preemption.withinClusterQueue === 'LowerPriority' && v.priority < job.priority;
  if (mine.cohort === undefined || mine.cohort !== theirs.cohort) return false;
  const policy = mine.preemption.reclaimWithinCohort;
  if (policy === 'Never' || v.accelerator !== flavour) return false;
  const h = headroom(cycle, mine, flavour);
  if (h.used >= h.nominal || !isBorrowing(cycle, theirs, flavour)) return false;
  return policy === 'Any' || v.priority < job.priority;
}

import type { Job } from '../../domain/job.ts';
import type { Allocation } from '../../domain/snapshot.ts';
import type { Cycle } from '../../framework/cycle.ts';
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
      // A running allocation's rank holds for the whole cycle: computed once, for every queued job.
      const ranks = cycle.state(`${PREEMPT_BY_ORDER}:ranks`, () => new Map<Allocation, number>());
      const of = (v: Allocation): number => {
        let r = ranks.get(v);
        if (r === undefined) {
          r = rank.running(v, cycle);
          ranks.set(v, r);
        }
        return r;
      };
      if (!couldMakeRoom(cycle, job, evaluation.candidateSites, mine, of)) return null;
      return nominate(cycle, job, evaluation, args.maxPools, {
        eligible: (v) => v.preemptible && of(v) > mine,
        order: (a, b) => of(b) - of(a),
        cost: () => 0,
        reason: (v) =>
          `preempted by ${job.id}, which goes first under ${cycle.queueSort?.name} (${fmt(mine)} before ${fmt(of(v))})`,
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

/** Preemptible allocations of a pool's list, by rank, highest first, with running sums of their accelerators. */
interface Ranked {
  readonly ranks: Float64Array;
  readonly accelerators: Float64Array;
}

/**
 * Whether stopping every job that ranks behind `mine` could free enough accelerators on some pool
 * the job may use (a necessary condition, so most queued jobs skip the search for victims). A pool's
 * ranking is kept for as long as its list of allocations is the same object (lists are replaced
 * when the cycle changes them).
 */
function couldMakeRoom(
  cycle: Cycle,
  job: Job,
  candidateSites: readonly number[],
  mine: number,
  rankOf: (v: Allocation) => number,
): boolean {
  const cache = cycle.state(`${PREEMPT_BY_ORDER}:pools`, () => new WeakMap<readonly Allocation[], Ranked>());
  for (const siteIndex of candidateSites) {
    const site = cycle.net.sites[siteIndex];
    if (!site) continue;
    for (const choice of job.options) {
      const needed = choice.perMember * job.gang;
      for (const pool of site.poolsByType.get(choice.accelerator) ?? []) {
        if (needed > pool.pool.count) continue;
        const list = cycle.allocationsOn(pool);
        let ranked = cache.get(list);
        if (!ranked) {
          const preemptible = list.filter((a) => a.preemptible).map((a) => ({ r: rankOf(a), n: a.count }));
          preemptible.sort((a, b) => b.r - a.r);
          const ranks = new Float64Array(preemptible.length);
          const accelerators = new Float64Array(preemptible.length);
          let sum = 0;
          preemptible.forEach((p, i) => {
            sum += p.n;
            ranks[i] = p.r;
            accelerators[i] = sum;
          });
          ranked = { ranks, accelerators };
          cache.set(list, ranked);
        }
        // Ranks run highest first: the ones behind `mine` are a prefix, found by binary search.
        let lo = 0;
        let hi = ranked.ranks.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((ranked.ranks[mid] as number) > mine) lo = mid + 1;
          else hi = mid;
        }
        const behind = lo > 0 ? (ranked.accelerators[lo - 1] as number) : 0;
        if (cycle.freeNow(pool) + behind >= needed) return true;
      }
    }
  }
  return false;
}

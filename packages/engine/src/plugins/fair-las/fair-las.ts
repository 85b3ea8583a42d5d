import type { Job } from '../../domain/job.ts';
import type { Cycle } from '../../framework/cycle.ts';
import type { QueueSortPlugin } from '../../framework/plugin.ts';
import { dominantShare } from '../fair-share/fair-share.ts';

export const FAIR_LAS = 'fair-las';

export interface FairLasArgs {
  /** Attained service (accelerator-seconds) at which a job drops to the next queue, ascending. */
  readonly thresholdsS: readonly number[];
  /**
   * A job that has waited this long (time in the system less time run), and `starveFactor` times
   * as long as it has run, goes before every other (Tiresias' starvation limit).
   */
  readonly starveAfterS: number;
  readonly starveFactor: number;
  /** A job that started this recently is not stopped for the order (no stop-start churn). */
  readonly minRunS: number;
  /** Whether tenants under their entitlement go first (fair share as a bound). */
  readonly shareBound: boolean;
}

/** The queue of a starved job: before queue 0, and no running job is ever in it. */
const STARVED = -1;

/**
 * The default's order: discretised least-attained-service (Tiresias) bounded by fair share, with
 * starvation protection. Within a priority:
 * 1. a job that has waited `starveAfterS` goes first (oldest wait first);
 * 2. a job whose tenant holds less than its entitlement goes before the jobs of tenants above
 *    theirs (weighted DRF as a bound: a tenant is entitled to its weight's part, among the tenants
 *    competing now, of every accelerator type);
 * 3. lower attained-service queues go first (short jobs finish early without an estimate);
 * 4. within a queue, the least estimated remaining service goes first (the estimate tie-breaks,
 *    so a wrong one costs little), then first come, first served.
 * With `preempt-by-order`, a queued job stops running jobs in a higher queue that have run at
 * least `minRunS` and have no deadline; a starved job stops any such preemptible job. A job that started starved is not
 * stopped for the order until it ends.
 */
export function fairLas(args: FairLasArgs): QueueSortPlugin {
  const level = (attainedS: number): number => {
    let l = 0;
    while (l < args.thresholdsS.length && attainedS >= (args.thresholdsS[l] ?? Number.POSITIVE_INFINITY)) l++;
    return l;
  };
  const starved = (waitedS: number, ranS: number): boolean =>
    waitedS >= args.starveAfterS && waitedS >= args.starveFactor * ranS;
  const ranOf = (job: Job): number => (job.attainedS ?? 0) / Math.max(1, acceleratorsOf(job));
  const waitedS = (job: Job, nowS: number): number => nowS - job.submittedAtS - ranOf(job);
  const queueOf = (job: Job, cycle: Cycle): number =>
    starved(waitedS(job, cycle.nowS), ranOf(job)) ? STARVED : level(job.attainedS ?? 0);
  const remainingServiceS = (job: Job): number =>
    Math.max(0, acceleratorsOf(job) * job.durationS - (job.attainedS ?? 0));
  const overShare = (cycle: Cycle, tenant: string): boolean => dominantShare(cycle, tenant) * weightSum(cycle) > 1;
  return {
    name: FAIR_LAS,
    dynamic: true,
    compare(a, b, cycle) {
      if (a.priority !== b.priority) return b.priority - a.priority;
      const qa = queueOf(a, cycle);
      const qb = queueOf(b, cycle);
      if ((qa === STARVED) !== (qb === STARVED)) return qa === STARVED ? -1 : 1;
      if (qa === STARVED) return waitedS(b, cycle.nowS) - waitedS(a, cycle.nowS) || byAge(a, b);
      if (args.shareBound && a.tenant !== b.tenant) {
        const oa = overShare(cycle, a.tenant);
        if (oa !== overShare(cycle, b.tenant)) return oa ? 1 : -1;
      }
      return qa - qb || remainingServiceS(a) - remainingServiceS(b) || byAge(a, b);
    },
    rank: {
      job: queueOf,
      running(a, cycle) {
        const ranS = Math.max(0, cycle.nowS - a.startS);
        const attainedS = (a.attainedS ?? 0) + a.count * ranS;
        // Protected: it has just started, or it is starved (starved jobs never stop each other).
        if (ranS < args.minRunS) return STARVED;
        // A job with a deadline was placed to meet it running through: it is not stopped for the order.
        if (a.deadlineS !== undefined) return STARVED;
        const totalRanS = attainedS / Math.max(1, a.count);
        if (a.submittedAtS !== undefined && starved(cycle.nowS - a.submittedAtS - totalRanS, totalRanS)) return STARVED;
        return level(attainedS);
      },
    },
  };
}

/**
 * The sum of the share weights of the tenants competing now (holding accelerators or queued): a
 * tenant's entitlement is its weight over it, so an idle tenant's part goes to the others.
 */
function weightSum(cycle: Cycle): number {
  return cycle.state(FAIR_LAS, () => {
    let sum = 0;
    for (const tenant of cycle.activeTenants()) sum += cycle.net.tenants.get(tenant)?.shareWeight ?? 1;
    return sum > 0 ? sum : 1;
  });
}

/** Accelerators of the job's first choice (the one its attained service is counted in). */
function acceleratorsOf(job: Job): number {
  return (job.options[0]?.perMember ?? 1) * job.gang;
}

function byAge(a: Job, b: Job): number {
  if (a.submittedAtS !== b.submittedAtS) return a.submittedAtS - b.submittedAtS;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

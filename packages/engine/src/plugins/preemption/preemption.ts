import type { AcceleratorOption, Job } from '../../domain/job.ts';
import type { Preemption } from '../../domain/placement.ts';
import type { Allocation } from '../../domain/snapshot.ts';
import type { Cycle } from '../../framework/cycle.ts';
import { stagingAt } from '../../framework/option.ts';
import { Plan } from '../../framework/plan.ts';
import type { Nomination, PostFilterPlugin } from '../../framework/plugin.ts';
import type { PreparedPool } from '../../framework/prepared-network.ts';
import { idlePowerKw, itPowerKw } from '../../models/energy.ts';
import { durationOnS } from '../../models/equivalence.ts';
import { headroom, isBorrowing, queueOf } from '../quota/quota-math.ts';

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
 * then the lowest priorities, then the fewest accelerators; victims are tried lowest priority and
 * most recently started first (least work lost), and any victim not needed is spared.
 */
export function preemption(args: PreemptionArgs): PostFilterPlugin {
  return {
    name: PREEMPTION,
    postFilter(cycle, job, evaluation) {
      const best = evaluation.ranked[0];
      if (best && best.option.startS - cycle.nowS - best.option.staging.transferS <= args.minWaitS) return null;
      const candidateSites = new Set(
        evaluation.verdicts.filter((v) => v.outcome === 'scored' || v.code === 'unschedulable').map((v) => v.siteId),
      );
      let chosen: Nomination | undefined;
      let chosenKey: readonly number[] | undefined;
      let tried = 0;
      for (const site of cycle.net.sites) {
        if (!candidateSites.has(site.site.id)) continue;
        for (const choice of job.options) {
          for (const pool of site.poolsByType.get(choice.accelerator) ?? []) {
            if (choice.perMember * job.gang > pool.pool.count) continue;
            if (tried++ >= args.maxPools) break;
            const victims = victimsFor(cycle, job, pool, choice);
            if (!victims) continue;
            const key = [
              victims.length,
              Math.max(...victims.map((v) => v.priority)),
              victims.reduce((n, v) => n + v.count, 0),
            ];
            if (!chosenKey || lexLess(key, chosenKey)) {
              chosenKey = key;
              chosen = {
                poolId: pool.pool.id,
                victims: victims.map(
                  (v): Preemption => ({
                    jobId: v.jobId,
                    poolId: v.poolId,
                    count: v.count,
                    reason: `preempted by ${job.id} (priority ${job.priority} over ${v.priority}${reclaims(cycle, job, v) ? ', reclaiming borrowed quota' : ''})`,
                  }),
                ),
              };
            }
          }
        }
      }
      return chosen ?? null;
    },
  };
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

function reclaims(cycle: Cycle, job: Job, v: Allocation): boolean {
  const mine = queueOf(cycle, job.tenant);
  const theirs = queueOf(cycle, v.tenant);
  return !!mine && !!theirs && mine !== theirs;
}

/** Whether `job` may stop `v` under the queues' preemption policies. */
function eligible(cycle: Cycle, job: Job, v: Allocation, flavour: string): boolean {
  if (!v.preemptible || v.jobId === job.id) return false;
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

/** Whether the job could start now on the pool, with quota, given the cycle as it is. */
function fitsNow(cycle: Cycle, job: Job, pool: PreparedPool, choice: AcceleratorOption): boolean {
  const count = choice.perMember * job.gang;
  const durationS = durationOnS(job, choice, (t) => cycle.net.accelerators.get(t));
  const kw = (itPowerKw(pool.spec, job.kind, count) - idlePowerKw(pool.spec, count)) * pool.site.site.pue;
  const readyS = cycle.nowS + stagingAt(cycle, job, pool.site).transferS;
  if (cycle.earliestStart(pool, count, durationS, kw, readyS) > readyS) return false;
  const cq = queueOf(cycle, job.tenant);
  return !cq || headroom(cycle, cq, choice.accelerator).available >= count;
}

/** The smallest set of victims, tried in order, after which the job fits; undefined if none. */
function victimsFor(cycle: Cycle, job: Job, pool: PreparedPool, choice: AcceleratorOption): Allocation[] | undefined {
  const flavour = choice.accelerator;
  const here = cycle.allocationsOn(pool).filter((v) => eligible(cycle, job, v, flavour));
  // Elsewhere, victims can only free quota (reclaim), not this pool's accelerators.
  const cq = queueOf(cycle, job.tenant);
  const elsewhere = cq
    ? cycle
        .allAllocations()
        .filter((v) => v.poolId !== pool.pool.id && v.accelerator === flavour && eligible(cycle, job, v, flavour))
    : [];
  const order = (a: Allocation, b: Allocation) =>
    a.priority - b.priority || b.startS - a.startS || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);
  const candidates = [...here.sort(order), ...elsewhere.sort(order)];
  if (candidates.length === 0) return undefined;

  const trial = (set: readonly Allocation[]): boolean => {
    const plan = new Plan(cycle);
    for (const v of set) {
      const p = cycle.net.poolById.get(v.poolId);
      if (p) plan.release(p, v);
    }
    const ok = fitsNow(cycle, job, pool, choice);
    plan.discard();
    return ok;
  };

  const chosen: Allocation[] = [];
  let fits = false;
  for (const v of candidates) {
    chosen.push(v);
    if (trial(chosen)) {
      fits = true;
      break;
    }
  }
  if (!fits) return undefined;
  // Spare every victim the job does not need, latest-tried first.
  for (let i = chosen.length - 2; i >= 0; i--) {
    const without = chosen.filter((_, k) => k !== i);
    if (trial(without)) chosen.splice(i, 1);
  }
  return chosen;
}

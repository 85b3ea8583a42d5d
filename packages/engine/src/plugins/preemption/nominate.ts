import type { AcceleratorOption, Job } from '../../domain/job.ts';
import type { Preemption } from '../../domain/placement.ts';
import type { Allocation } from '../../domain/snapshot.ts';
import type { Cycle } from '../../framework/cycle.ts';
import { type JobEvaluation, stagingAt } from '../../framework/option.ts';
import { Plan } from '../../framework/plan.ts';
import type { Nomination } from '../../framework/plugin.ts';
import type { PreparedPool } from '../../framework/prepared-network.ts';
import { allocationKw } from '../../framework/running-draw.ts';
import { lostIfStoppedS } from '../../ledger/allocation.ts';
import { durationOnS } from '../../models/equivalence.ts';
import { cappedDevice } from '../../models/power-curve.ts';
import { headroom, queueOf } from '../quota/quota-math.ts';

/** Which running jobs a post-filter may stop for `job`, in what order, and how it says why. */
export interface VictimPolicy {
  /** Whether `job` may stop `v` to get accelerators of type `flavour`. */
  eligible(v: Allocation, flavour: string): boolean;
  /** Victims are tried in this order; negative when `a` is tried first. */
  order(a: Allocation, b: Allocation): number;
  /** The victim's key in the choice between pools: lower is better (after the number of victims). */
  cost(v: Allocation): number;
  reason(v: Allocation): string;
  /** Whether victims elsewhere may free quota for the job (reclaiming within a cohort). */
  readonly reclaim: boolean;
}

/**
 * Of the ways to make room for `job` on the pools of the sites it could use, the one with the
 * fewest victims, then the lowest victim cost, then the least work lost since the victims' last
 * checkpoints, then the fewest accelerators stopped; null if none.
 * At most `maxPools` pools are tried. Dry runs only: every trial is discarded.
 */
export function nominate(
  cycle: Cycle,
  job: Job,
  evaluation: JobEvaluation,
  maxPools: number,
  policy: VictimPolicy,
): Nomination | null {
  const candidateSites = new Set(evaluation.candidateSites);
  let chosen: Nomination | null = null;
  let chosenKey: readonly number[] | undefined;
  let tried = 0;
  for (const site of cycle.net.sites) {
    if (!candidateSites.has(site.index)) continue;
    for (const choice of job.options) {
      for (const pool of site.poolsByType.get(choice.accelerator) ?? []) {
        if (choice.perMember * job.gang > pool.pool.count) continue;
        if (tried++ >= maxPools) return chosen;
        const victims = victimsFor(cycle, job, pool, choice, policy);
        if (!victims) continue;
        const key = [
          victims.length,
          Math.max(...victims.map((v) => policy.cost(v))),
          // The work they would lose since their last checkpoint, then the accelerators stopped.
          victims.reduce((n, v) => n + lostIfStoppedS(v, cycle.nowS), 0),
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
                reason: withLoss(cycle, v, policy.reason(v)),
              }),
            ),
          };
        }
      }
    }
  }
  return chosen;
}

/** A victim's reason with the work it loses, when it checkpoints. */
function withLoss(cycle: Cycle, v: Allocation, reason: string): string {
  if (v.checkpointS === undefined) return reason;
  const hours = lostIfStoppedS(v, cycle.nowS) / 3600;
  return `${reason}; loses ${hours.toFixed(hours < 10 ? 2 : 0)} accelerator-hours since its last checkpoint`;
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** Whether the job could start now on the pool, with quota, given the cycle as it is. */
function fitsNow(cycle: Cycle, job: Job, pool: PreparedPool, choice: AcceleratorOption): boolean {
  const count = choice.perMember * job.gang;
  const durationS =
    durationOnS(job, choice, (t) => cycle.net.accelerators.get(t)) /
    cappedDevice(pool.spec, job.kind, job.powerCapW).throughput;
  const kw = allocationKw(pool, {
    kind: job.kind,
    count,
    ...(job.powerCapW !== undefined ? { powerCapW: job.powerCapW } : {}),
  });
  const readyS = cycle.nowS + stagingAt(cycle, job, pool.site).transferS;
  // On nodes, the members must fit the nodes as they are now (cheap; when they will is not asked).
  const nodes = cycle.nodesOf(pool);
  if (nodes && !nodes.occupancy.fits(choice.perMember, job.gang)) return false;
  if (cycle.earliestStart(pool, count, durationS, kw, readyS, choice.perMember) > readyS) return false;
  const cq = queueOf(cycle, job.tenant);
  return !cq || headroom(cycle, cq, choice.accelerator).available >= count;
}

/** The smallest set of victims, tried in the policy's order, after which the job fits; undefined if none. */
function victimsFor(
  cycle: Cycle,
  job: Job,
  pool: PreparedPool,
  choice: AcceleratorOption,
  policy: VictimPolicy,
): Allocation[] | undefined {
  const flavour = choice.accelerator;
  const here = cycle.allocationsOn(pool).filter((v) => v.jobId !== job.id && policy.eligible(v, flavour));
  // Elsewhere, victims can only free quota (reclaim), not this pool's accelerators.
  const elsewhere =
    policy.reclaim && queueOf(cycle, job.tenant)
      ? cycle
          .allAllocations()
          .filter((v) => v.poolId !== pool.pool.id && v.accelerator === flavour && policy.eligible(v, flavour))
      : [];
  const order = (a: Allocation, b: Allocation) =>
    policy.order(a, b) || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);
  const candidates = [...here.sort(order), ...elsewhere.sort(order)];
  if (candidates.length === 0) return undefined;

  // A trial is worth running only once the victims and the free accelerators could hold the job.
  const needed = choice.perMember * job.gang - cycle.freeNow(pool);
  // Victims are released one by one on one dry-run plan, and the job tried after each.
  const chosen: Allocation[] = [];
  let freed = 0;
  let fits = false;
  const plan = new Plan(cycle);
  try {
    for (const v of candidates) {
      chosen.push(v);
      const p = cycle.net.poolById.get(v.poolId);
      if (p) plan.release(p, v);
      if (v.poolId === pool.pool.id) freed += v.count;
      if (freed < needed && v.poolId === pool.pool.id) continue;
      if (fitsNow(cycle, job, pool, choice)) {
        fits = true;
        break;
      }
    }
    if (!fits) return undefined;
    // Spare every victim the job does not need, latest-tried first: each is put back, and stopped
    // again only if the job no longer fits without it.
    for (let i = chosen.length - 2; i >= 0; i--) {
      const v = chosen[i] as Allocation;
      const p = cycle.net.poolById.get(v.poolId);
      if (!p) {
        chosen.splice(i, 1); // on no pool of the network: stopping it frees nothing
        continue;
      }
      plan.restore(p, v);
      if (fitsNow(cycle, job, pool, choice)) chosen.splice(i, 1);
      else plan.release(p, v);
    }
    return chosen;
  } finally {
    // A dry run: nothing it released stays released, whatever happens.
    plan.discard();
  }
}

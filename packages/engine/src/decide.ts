import type { Job } from './domain/job.ts';
import type { Decision, Explanation } from './domain/placement.ts';
import type { Snapshot } from './domain/snapshot.ts';
import { Cycle } from './framework/cycle.ts';
import type { Profile } from './framework/profile.ts';
import { defaultProfile } from './framework/registry.ts';
import { evaluateJob } from './framework/runner.ts';
import { type CycleBudget, scheduleOne, summarise } from './framework/schedule-one.ts';
import type { Rng } from './rng.ts';

export interface DecideResult {
  /** One decision per queued job, in the order they were decided. */
  readonly decisions: readonly Decision[];
}

export interface DecideOptions {
  readonly profile?: Profile;
}

/**
 * The engine's one entry point. Given the network, what is held and what is queued, it decides for
 * every queued job: place it now (on which pool, at what cost, energy and carbon, stopping which
 * jobs if any), hold a later start for it, or let it wait, and says why. Pure: the same snapshot,
 * time and seed give the same decisions.
 */
export function decide(snapshot: Snapshot, nowS: number, rng: Rng, options: DecideOptions = {}): DecideResult {
  const profile = options.profile ?? defaultProfile();
  const cycle = new Cycle(snapshot, nowS, rng);
  const decisions: Decision[] = [];
  const budget: CycleBudget = { reservationsLeft: profile.reservations };
  for (const job of queueOrder(cycle, snapshot.queue, profile))
    decisions.push(scheduleOne(cycle, job, profile, budget));
  return { decisions };
}

/**
 * A dry run for one job that is not queued: every site ranked or rejected, with cost, energy,
 * carbon and expected start. The queued jobs are decided first, as `decide` would, so their
 * placements and reservations count.
 */
export function quote(snapshot: Snapshot, job: Job, nowS: number, rng: Rng, options: DecideOptions = {}): Explanation {
  const profile = options.profile ?? defaultProfile();
  const cycle = new Cycle(snapshot, nowS, rng);
  const budget: CycleBudget = { reservationsLeft: profile.reservations };
  for (const queued of queueOrder(cycle, snapshot.queue, profile)) scheduleOne(cycle, queued, profile, budget);
  const evaluation = evaluateJob(cycle, job, profile);
  return {
    jobId: job.id,
    atS: nowS,
    profile: profile.name,
    summary: summarise(cycle, evaluation, 'best'),
    notes: evaluation.rejected ? [`${evaluation.rejected.plugin}: ${evaluation.rejected.reason}`] : [],
    verdicts: evaluation.verdicts,
  };
}

/**
 * The queue in the order the profile's queue-sort gives. A static order is one sort; a dynamic one
 * (fair share, whose order changes as jobs are placed) picks, after every decision, the best head of
 * each tenant's own ordered queue.
 */
function* queueOrder(cycle: Cycle, queue: readonly Job[], profile: Profile): Generator<Job> {
  const sort = profile.queueSort;
  const compare = (a: Job, b: Job) => sort.compare(a, b, cycle);
  if (!sort.dynamic) {
    yield* [...queue].sort(compare);
    return;
  }
  const byTenant = new Map<string, Job[]>();
  for (const j of queue) {
    const list = byTenant.get(j.tenant);
    if (list) list.push(j);
    else byTenant.set(j.tenant, [j]);
  }
  const heads = [...byTenant.values()].map((list) => ({ list: list.sort(compare), next: 0 }));
  for (;;) {
    let pick: { list: Job[]; next: number } | undefined;
    for (const h of heads) {
      const job = h.list[h.next];
      if (!job) continue;
      const current = pick?.list[pick.next];
      if (!current || compare(job, current) < 0) pick = h;
    }
    const job = pick?.list[pick.next];
    if (!pick || !job) return;
    pick.next++;
    yield job;
  }
}

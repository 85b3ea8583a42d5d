import type { Job } from './domain/job.ts';
import type { Decision, Explanation } from './domain/placement.ts';
import type { Snapshot } from './domain/snapshot.ts';
import { Cycle } from './framework/cycle.ts';
import type { Profile } from './framework/profile.ts';
import { defaultProfile } from './framework/registry.ts';
import { evaluateJob } from './framework/runner.ts';
import { type CycleBudget, scheduleOne, summarise } from './framework/schedule-one.ts';
import { applyChoice, leftOut, type OptimizerReport, solveBatch } from './optimizer/batch.ts';
import type { Solver } from './optimizer/solver.ts';

export interface DecideResult {
  /** One decision per queued job, in the order they were decided. */
  readonly decisions: readonly Decision[];
  /** What the batch optimizer did, when it ran. */
  readonly optimizer?: OptimizerReport;
}

export interface DecideOptions {
  readonly profile?: Profile;
  /** Solves the batch optimizer's models; without one the optimizer never runs. */
  readonly solver?: Solver;
  /** Run the batch optimizer this cycle (on demand), whatever the profile's mode. */
  readonly optimize?: boolean;
}

/**
 * The engine's one entry point. Given the network, what is held and what is queued, it decides for
 * every queued job: place it now (on which pool, at what cost, energy and carbon, stopping which
 * jobs if any), hold a later start for it, or let it wait, and says why. Pure: the same snapshot,
 * and time give the same decisions (ties are broken by job and pool order, never by chance).
 */
export function decide(snapshot: Snapshot, nowS: number, options: DecideOptions = {}): DecideResult {
  const profile = options.profile ?? defaultProfile();
  const cycle = new Cycle(snapshot, nowS, profile.queueSort);
  const decisions: Decision[] = [];
  const budget: CycleBudget = { reservationsLeft: profile.reservations };
  const settings = profile.optimizer;
  const optimize =
    options.solver !== undefined &&
    settings.mode !== 'off' &&
    (options.optimize === true || settings.mode === 'every-cycle') &&
    snapshot.queue.length >= (options.optimize ? 1 : settings.minJobs);
  if (!optimize || !options.solver) {
    const decided = new Set<string>();
    for (const job of queueOrder(cycle, snapshot.queue, profile)) {
      if (decisions.length >= profile.queueDepth) break;
      decisions.push(scheduleOne(cycle, job, profile, budget));
      decided.add(job.id);
    }
    if (decisions.length < snapshot.queue.length) {
      for (const job of snapshot.queue) if (!decided.has(job.id)) decisions.push(beyondDepth(job, nowS, profile));
    }
    return { decisions };
  }

  // The batch optimizer plans the first jobs of the queue together; its plan is carried out in
  // queue order, and the jobs it leaves out (or beyond its batch) are decided one by one after it.
  const ordered = [...queueOrder(cycle, snapshot.queue, profile)];
  const { plan, evaluations, report } = solveBatch(cycle, ordered.slice(0, settings.maxJobs), profile, options.solver);
  if (report.status === 'fallback-greedy') {
    for (const job of ordered) decisions.push(scheduleOne(cycle, job, profile, budget));
    return { decisions, optimizer: report };
  }
  const rest: Job[] = [];
  for (const job of ordered) {
    const choice = plan.get(job.id);
    const decision = choice ? applyChoice(cycle, job, profile, choice, report) : undefined;
    if (decision) decisions.push(decision);
    else rest.push(job);
  }
  for (const job of rest) {
    // A job the optimizer left out waits for a later cycle; one beyond its batch is decided alone.
    const evaluation = evaluations.get(job.id);
    decisions.push(
      evaluation && !plan.has(job.id)
        ? leftOut(cycle, job, profile, evaluation)
        : scheduleOne(cycle, job, profile, budget),
    );
  }
  return { decisions, optimizer: report };
}

/** The decision for a job the cycle did not look at: it is further down the queue than the profile's depth. */
function beyondDepth(job: Job, nowS: number, profile: Profile): Decision {
  const reason = `not evaluated this cycle: beyond the first ${profile.queueDepth} jobs of the queue (queueDepth)`;
  return {
    kind: 'wait',
    jobId: job.id,
    unresolvable: false,
    reason,
    explanation: { jobId: job.id, atS: nowS, profile: profile.name, summary: reason, notes: [], verdicts: [] },
  };
}

/**
 * A dry run for one job that is not queued: every site ranked or rejected, with cost, energy,
 * carbon and expected start. The queued jobs are decided first, as `decide` would, so their
 * placements and reservations count.
 */
export function quote(snapshot: Snapshot, job: Job, nowS: number, options: DecideOptions = {}): Explanation {
  const profile = options.profile ?? defaultProfile();
  const cycle = new Cycle(snapshot, nowS, profile.queueSort);
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

import type { Job } from '../domain/job.ts';
import type { Decision, Explanation, Placement, Preemption } from '../domain/placement.ts';
import type { Cycle } from './cycle.ts';
import { formatDuration, formatNumber } from './format.ts';
import type { JobEvaluation, Option, ScoredOption } from './option.ts';
import { Plan } from './plan.ts';
import type { Profile } from './profile.ts';
import { evaluateJob, omittedCounts } from './runner.ts';

/** How many options that could start now are tried when reserve or permit turn the best one down. */
const PLACE_ATTEMPTS = 3;

export interface CycleBudget {
  /** Reservations (backfill holds) still to give in this cycle. */
  reservationsLeft: number;
}

/**
 * Decides one job: place it now (reserve, permit, commit), make room by preemption, hold a later
 * start (backfill reservation or time shift), or let it wait — and explains why.
 */
export function scheduleOne(cycle: Cycle, job: Job, profile: Profile, budget: CycleBudget): Decision {
  let evaluation = evaluateJob(cycle, job, profile);
  const notes: string[] = [];
  if (evaluation.rejected) notes.push(`${evaluation.rejected.plugin}: ${evaluation.rejected.reason}`);

  const placed = tryStartNow(cycle, job, profile, evaluation, notes);
  if (placed) return place(cycle, job, profile, evaluation, placed, [], notes);

  // Nothing can start now: a post-filter (preemption) may make room.
  for (const pf of profile.postFilters) {
    let nomination: ReturnType<typeof pf.postFilter>;
    try {
      nomination = pf.postFilter(cycle, job, evaluation);
    } catch (e) {
      notes.push(`${pf.name}: plug-in failed: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (!nomination) continue;
    const plan = new Plan(cycle);
    for (const v of nomination.victims) {
      const pool = cycle.net.poolById.get(v.poolId);
      const a = pool ? cycle.allocationsOn(pool).find((x) => x.jobId === v.jobId) : undefined;
      if (pool && a) plan.release(pool, a);
    }
    const after = evaluateJob(cycle, job, profile);
    const option = tryStartNow(cycle, job, profile, after, notes);
    if (option) {
      plan.commit();
      notes.push(`${pf.name}: stops ${nomination.victims.map((v) => v.jobId).join(', ')} to make room`);
      return place(cycle, job, profile, after, option, nomination.victims, notes);
    }
    plan.discard();
    evaluation = evaluateJob(cycle, job, profile);
  }

  const best = evaluation.ranked[0];
  if (!best) {
    const unresolvable =
      evaluation.verdicts.length > 0 &&
      evaluation.verdicts.every((v) => v.outcome === 'filtered' && v.code === 'unresolvable');
    const reason = evaluation.rejected
      ? `${evaluation.rejected.plugin}: ${evaluation.rejected.reason}`
      : `no site can run this job now: ${summariseFiltered(evaluation)}`;
    return {
      kind: 'wait',
      jobId: job.id,
      unresolvable,
      reason,
      explanation: explain(cycle, job, profile, evaluation, reason, notes),
    };
  }

  const e = best.option.estimate();
  const why =
    e.shiftS > 0
      ? `shifted ${formatDuration(e.shiftS)} to cheaper or greener hours`
      : best.option.boundBy === 'power'
        ? `waiting ${formatDuration(e.waitS)} for power under the site's cap`
        : `waiting ${formatDuration(e.waitS)} for ${formatNumber(best.option.count)} ${best.option.choice.accelerator}`;
  if (budget.reservationsLeft > 0) {
    budget.reservationsLeft--;
    const plan = new Plan(cycle);
    plan.hold(best.option.pool, best.option.count, e.startS, e.endS, best.option.incrementKw);
    plan.commit();
    const reason = `reserved ${best.option.site.site.id} from ${formatDuration(e.startS - cycle.nowS)} on: ${why}`;
    notes.push(reason);
    return {
      kind: 'reserve',
      jobId: job.id,
      placement: toPlacement(best.option),
      reason,
      explanation: explain(cycle, job, profile, evaluation, summarise(cycle, evaluation, 'reserved'), notes),
    };
  }
  const reason = `best option ${best.option.site.site.id} starts in ${formatDuration(e.startS - cycle.nowS)}: ${why}`;
  return {
    kind: 'wait',
    jobId: job.id,
    unresolvable: false,
    reason,
    expectedStartS: e.startS,
    explanation: explain(cycle, job, profile, evaluation, summarise(cycle, evaluation, 'best'), notes),
  };
}

/**
 * Tries the best options while they can start now: holds the gang member by member, runs the
 * reserve and permit plug-ins, and commits the whole plan, or discards the whole plan and tries the
 * next. A better option that starts later stops the search: the job waits for it.
 */
function tryStartNow(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  evaluation: JobEvaluation,
  notes: string[],
): Option | undefined {
  let attempts = 0;
  for (const s of evaluation.ranked) {
    const o = s.option;
    // Options come best first: once the best remaining one starts later, the job waits for it.
    if (!o.startsNow) break;
    const e = o.estimate();
    if (attempts++ >= PLACE_ATTEMPTS) break;
    const plan = new Plan(cycle);
    // The gang, member by member: all of them or none.
    const perMemberKw = o.incrementKw / job.gang;
    for (let m = 0; m < job.gang; m++) plan.hold(o.pool, o.choice.perMember, e.startS, e.endS, perMemberKw, job.tenant);
    let refused: string | undefined;
    for (const r of profile.reserves) {
      const status = r.reserve(cycle, job, o);
      plan.onDiscard(() => r.unreserve(cycle, job, o));
      if (status) {
        refused = `${r.name}: ${status.reason}`;
        break;
      }
    }
    if (!refused) {
      for (const p of profile.permits) {
        const status = p.permit(cycle, job, o);
        if (status) {
          refused = `${p.name}: ${status.reason}`;
          break;
        }
      }
    }
    if (!refused) {
      plan.commit();
      return o;
    }
    plan.discard();
    notes.push(`${o.site.site.id}: ${refused}`);
  }
  return undefined;
}

function place(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  evaluation: JobEvaluation,
  option: Option,
  preempts: readonly Preemption[],
  notes: string[],
): Decision {
  const summary = summarise(cycle, evaluation, 'placed', option);
  return {
    kind: 'place',
    jobId: job.id,
    placement: toPlacement(option),
    preempts,
    explanation: explain(cycle, job, profile, evaluation, summary, notes),
  };
}

export function toPlacement(o: Option): Placement {
  return {
    siteId: o.site.site.id,
    poolId: o.pool.pool.id,
    accelerator: o.choice.accelerator,
    count: o.count,
    estimate: o.estimate(),
  };
}

function explain(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  evaluation: JobEvaluation,
  summary: string,
  notes: readonly string[],
): Explanation {
  const omitted = profile.explain === 'brief' ? omittedCounts(evaluation, cycle.net.sites.length) : undefined;
  return {
    jobId: job.id,
    atS: cycle.nowS,
    profile: profile.name,
    summary,
    notes,
    verdicts: evaluation.verdicts,
    ...(omitted ? { omitted } : {}),
  };
}

function summariseFiltered(evaluation: JobEvaluation): string {
  const byPlugin = new Map<string, number>();
  for (const v of evaluation.verdicts)
    if (v.outcome === 'filtered') byPlugin.set(v.plugin, (byPlugin.get(v.plugin) ?? 0) + 1);
  return [...byPlugin.entries()].map(([p, n]) => `${n} sites by ${p}`).join(', ');
}

/** One line: where, what it costs, uses and emits, and when it starts. */
export function summarise(
  cycle: Cycle,
  evaluation: JobEvaluation,
  verb: 'placed' | 'reserved' | 'best',
  chosen?: Option,
): string {
  const best: ScoredOption | undefined = chosen
    ? evaluation.ranked.find((s) => s.option === chosen)
    : evaluation.ranked[0];
  const total = cycle.net.sites.length;
  if (!best) return `no site can run this job now: ${total} of ${total} sites filtered out`;
  const o = best.option;
  const e = o.estimate();
  const where = `${o.site.site.id} (${o.choice.accelerator} ×${o.count})`;
  const start = e.startS <= cycle.nowS ? 'starts now' : `starts in ${formatDuration(e.startS - cycle.nowS)}`;
  const figures = `${formatNumber(e.costCny)} CNY, ${formatNumber(e.energyKwh)} kWh, ${formatNumber(e.carbonKg)} kgCO2`;
  return `${verb}: ${where}, ${figures}, ${start}; ${evaluation.feasibleSites} of ${total} sites feasible`;
}

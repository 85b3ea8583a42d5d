import type { Job } from '../domain/job.ts';
import type { Decision, Explanation, Placement, Preemption } from '../domain/placement.ts';
import type { NodeShare } from '../domain/snapshot.ts';
import { cappedDevice } from '../models/power-curve.ts';
import { failoverNote } from '../recovery/failover.ts';
import type { Cycle } from './cycle.ts';
import { omittedCounts } from './explain.ts';
import { formatDuration, formatLocalTime, formatNumber } from './format.ts';
import type { JobEvaluation, Option } from './option.ts';
import { Plan } from './plan.ts';
import { levelName } from './power-levels.ts';
import type { Profile } from './profile.ts';
import { couldStartNow, evaluateJob } from './runner.ts';

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
  // Fast path (explanations off): a job that cannot start now, hold a reservation, or make room
  // waits without a full evaluation; the decision is the same, only the expected start is not given.
  if (
    profile.explain === 'none' &&
    budget.reservationsLeft === 0 &&
    !profile.postFilters.some((pf) => pf.mayAct?.(cycle, job) ?? true) &&
    couldStartNow(cycle, job, profile) === 'no'
  ) {
    return {
      kind: 'wait',
      jobId: job.id,
      unresolvable: false,
      reason: 'cannot start now',
      explanation: quietExplanation(cycle, job, profile),
    };
  }
  let evaluation = evaluateJob(cycle, job, profile);
  const notes: string[] = [];
  if (evaluation.rejected) notes.push(`${evaluation.rejected.plugin}: ${evaluation.rejected.reason}`);
  if (job.powerCapW !== undefined && profile.explain !== 'none') notes.push(capNote(cycle, job));

  const placed = tryStartNow(cycle, job, profile, evaluation, notes);
  if (placed) return place(cycle, job, profile, evaluation, placed.option, [], notes, placed.nodes);

  // Nothing can start now: a post-filter (preemption) may make room.
  for (const pf of profile.postFilters) {
    if (pf.mayAct?.(cycle, job) === false) continue;
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
    const started = tryStartNow(cycle, job, profile, after, notes);
    if (started) {
      plan.commit();
      notes.push(`${pf.name}: stops ${nomination.victims.map((v) => v.jobId).join(', ')} to make room`);
      return place(cycle, job, profile, after, started.option, nomination.victims, notes, started.nodes);
    }
    plan.discard();
    evaluation = evaluateJob(cycle, job, profile);
  }

  const best = evaluation.ranked[0];
  if (!best) {
    const unresolvable = evaluation.unresolvable;
    // A rejection always says why, even with explanations off: evaluate once more with them on.
    if (unresolvable && profile.explain === 'none') {
      evaluation = evaluateJob(cycle, job, { ...profile, explain: 'brief' });
    }
    const reason = evaluation.rejected
      ? `${evaluation.rejected.plugin}: ${evaluation.rejected.reason}`
      : `no site can run this job now: ${summariseFiltered(evaluation)}`;
    return {
      kind: 'wait',
      jobId: job.id,
      unresolvable,
      reason,
      explanation: explain(cycle, job, profile, evaluation, () => reason, notes),
    };
  }

  const e = best.option.estimate();
  const quiet = profile.explain === 'none';
  const why = quiet
    ? ''
    : e.shiftS > 0
      ? `shifted ${formatDuration(e.shiftS)} to cheaper or greener hours`
      : best.option.boundBy === 'power'
        ? `waiting ${formatDuration(e.waitS)} for power ${powerWhy(cycle, best.option)}`
        : best.option.boundBy === 'nodes'
          ? `waiting ${formatDuration(e.waitS)} for ${formatNumber(best.option.count)} ${best.option.choice.accelerator} in nodes of ${best.option.pool.pool.nodeSize}`
          : `waiting ${formatDuration(e.waitS)} for ${formatNumber(best.option.count)} ${best.option.choice.accelerator}${parkedWhy(cycle, best.option)}`;
  if (budget.reservationsLeft > 0) {
    budget.reservationsLeft--;
    holdLater(cycle, best.option);
    const reason = quiet
      ? 'reserved'
      : `reserved ${best.option.site.site.id} from ${formatDuration(e.startS - cycle.nowS)} on: ${why}`;
    if (!quiet) notes.push(reason);
    return {
      kind: 'reserve',
      jobId: job.id,
      placement: toPlacement(best.option),
      reason,
      explanation: explain(cycle, job, profile, evaluation, () => summarise(cycle, evaluation, 'reserved'), notes),
    };
  }
  const reason = quiet
    ? 'waiting'
    : `best option ${best.option.site.site.id} starts in ${formatDuration(e.startS - cycle.nowS)}: ${why}`;
  return {
    kind: 'wait',
    jobId: job.id,
    unresolvable: false,
    reason,
    expectedStartS: e.startS,
    awaits: { poolId: best.option.pool.pool.id, count: best.option.count },
    ...(e.shiftS > 0 ? { chosenStartS: e.startS } : {}),
    explanation: explain(cycle, job, profile, evaluation, () => summarise(cycle, evaluation, 'best'), notes),
  };
}

/**
 * Tries the best options while they can start now; a better option that starts later stops the
 * search: the job waits for it.
 */
function tryStartNow(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  evaluation: JobEvaluation,
  notes: string[],
): Started | undefined {
  let attempts = 0;
  for (const s of evaluation.ranked) {
    const o = s.option;
    if (!o.startsNow) break;
    if (attempts++ >= PLACE_ATTEMPTS) break;
    const started = startNow(cycle, job, profile, o);
    if (typeof started !== 'string') return started;
    notes.push(`${o.site.site.id}: ${started}`);
  }
  return undefined;
}

/** A job started on an option, and the nodes it holds there (on a pool with a node size). */
export interface Started {
  readonly option: Option;
  readonly nodes?: readonly NodeShare[];
}

/**
 * Starts the job on an option now, as one transaction: holds the gang member by member (each on
 * one node, or on whole nodes, where the pool has a node size), runs the reserve and permit
 * plug-ins, and commits the whole plan; or discards the whole plan and says which plug-in refused.
 */
export function startNow(cycle: Cycle, job: Job, profile: Profile, o: Option): Started | string {
  const e = o.estimate();
  const nodes = cycle.nodesOf(o.pool);
  const shares = nodes?.occupancy.assign(o.choice.perMember, job.gang);
  if (nodes && !shares)
    return `${NODES}: ${job.gang} × ${o.choice.perMember} ${o.choice.accelerator} do not fit on free nodes`;
  const plan = new Plan(cycle);
  const perMemberKw = o.incrementKw / job.gang;
  for (let m = 0; m < job.gang; m++) plan.hold(o.pool, o.choice.perMember, e.startS, e.endS, perMemberKw, job.tenant);
  if (shares) plan.holdNodes(o.pool, job.id, e.endS, shares);
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
  if (refused) {
    plan.discard();
    return refused;
  }
  plan.commit();
  return shares ? { option: o, nodes: shares } : { option: o };
}

/** Who speaks for node packing in notes. */
const NODES = 'nodes';

/** Holds a later start for the job (a backfill reservation or a time shift). */
export function holdLater(cycle: Cycle, o: Option): void {
  const e = o.estimate();
  const plan = new Plan(cycle);
  plan.hold(o.pool, o.count, e.startS, e.endS, o.incrementKw);
  plan.commit();
}

export function place(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  evaluation: JobEvaluation,
  option: Option,
  preempts: readonly Preemption[],
  notes: string[],
  nodes?: readonly NodeShare[],
): Decision {
  const failover = profile.explain === 'none' ? undefined : failoverNote(cycle, job, evaluation, option);
  if (failover) notes.push(failover);
  return {
    kind: 'place',
    jobId: job.id,
    placement: toPlacement(option, nodes),
    preempts,
    explanation: explain(cycle, job, profile, evaluation, () => summarise(cycle, evaluation, 'placed', option), notes),
  };
}

export function toPlacement(o: Option, nodes?: readonly NodeShare[]): Placement {
  const transfers = o.transfers();
  return {
    siteId: o.site.site.id,
    poolId: o.pool.pool.id,
    accelerator: o.choice.accelerator,
    count: o.count,
    estimate: o.estimate(),
    ...(transfers.length > 0 ? { transfers } : {}),
    ...(nodes ? { nodes } : {}),
  };
}

function quietExplanation(cycle: Cycle, job: Job, profile: Profile): Explanation {
  return { jobId: job.id, atS: cycle.nowS, profile: profile.name, summary: '', notes: [], verdicts: [] };
}

export function explain(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  evaluation: JobEvaluation,
  summary: () => string,
  notes: readonly string[],
): Explanation {
  if (profile.explain === 'none') {
    return { jobId: job.id, atS: cycle.nowS, profile: profile.name, summary: '', notes, verdicts: [] };
  }
  const omitted = profile.explain === 'brief' ? omittedCounts(evaluation, cycle.net.sites.length) : undefined;
  return {
    jobId: job.id,
    atS: cycle.nowS,
    profile: profile.name,
    summary: summary(),
    notes,
    verdicts: evaluation.verdicts,
    ...(omitted ? { omitted } : {}),
  };
}

/** `3 sites by quota (cluster queue lab: …), 10 by accelerator-type (…)`: counts with a sample reason. */
function summariseFiltered(evaluation: JobEvaluation): string {
  const byPlugin = new Map<string, { n: number; reason: string }>();
  for (const v of evaluation.verdicts) {
    if (v.outcome !== 'filtered') continue;
    const entry = byPlugin.get(v.plugin);
    if (entry) entry.n++;
    else byPlugin.set(v.plugin, { n: 1, reason: v.reason });
  }
  return [...byPlugin.entries()]
    .sort((a, b) => b[1].n - a[1].n)
    .map(([p, { n, reason }]) => `${n} site${n === 1 ? '' : 's'} by ${p} (${reason})`)
    .join(', ');
}

/** One line: where, what it costs, uses and emits, and when it starts. */
export function summarise(
  cycle: Cycle,
  evaluation: JobEvaluation,
  verb: 'placed' | 'reserved' | 'best',
  chosen?: Option,
): string {
  const o = chosen ?? evaluation.ranked[0]?.option;
  const total = cycle.net.sites.length;
  if (!o) return `no site can run this job now: ${total} of ${total} sites filtered out`;
  const e = o.estimate();
  const where = `${o.site.site.id} (${o.choice.accelerator} ×${o.count})`;
  const start = e.startS <= cycle.nowS ? 'starts now' : `starts in ${formatDuration(e.startS - cycle.nowS)}`;
  const figures = `${formatNumber(e.costCny)} CNY, ${formatNumber(e.energyKwh)} kWh, ${formatNumber(e.carbonKg)} kgCO2`;
  return `${verb}: ${where}, ${figures}, ${start}; ${evaluation.feasibleSites} of ${total} sites feasible`;
}

/** Which budget level holds a job back, and from when: `under region sichuan's budget (short from 18:00 local)`. */
function powerWhy(cycle: Cycle, o: Option): string {
  const b = cycle.power.bindingLevel(o.pool, o.incrementKw, cycle.nowS, o.durationS);
  if (!b) return "under the sites' budgets";
  const event = cycle.power.additionsTo(b.level)?.events.find((ev) => ev.startS <= b.atS && b.atS < ev.endS);
  const at = formatLocalTime(b.atS, b.level.utcOffsetH);
  return `under ${levelName(b.level)}'s budget (${formatNumber(Math.max(0, b.freeKw))} kW free at ${at} local${event ? `, grid event ${event.id}` : ''})`;
}

/** What a job's own power cap does on its first choice: `capped at 450 W per accelerator: runs 1.14× as long, draws 33% less power`. */
function capNote(cycle: Cycle, job: Job): string {
  const spec = cycle.net.accelerators.get(job.options[0]?.accelerator ?? '');
  const capW = job.powerCapW ?? 0;
  if (!spec) return `capped at ${formatNumber(capW)} W per accelerator`;
  const uncapped = cappedDevice(spec, job.kind, undefined);
  const capped = cappedDevice(spec, job.kind, capW);
  if (capped.throughput >= 1)
    return `capped at ${formatNumber(capW)} W per accelerator: above its ${formatNumber(uncapped.deviceW)} W draw, no change`;
  const less = 1 - capped.deviceW / uncapped.deviceW;
  return `capped at ${formatNumber(capped.deviceW)} W per ${spec.type}: runs ${formatNumber(1 / capped.throughput, 2)}× as long, draws ${formatNumber(less * 100)}% less power`;
}

/** When accelerators of the pool are powered down for a grid event now: `(64 powered down for a grid event)`. */
function parkedWhy(cycle: Cycle, o: Option): string {
  const n = cycle.power.parkedAt(o.pool, cycle.nowS);
  return n > 0 ? ` (${formatNumber(n)} powered down for a grid event)` : '';
}

import type { Job, ObjectiveWeights } from '../domain/job.ts';
import type { ObjectiveScores, SiteVerdict } from '../domain/placement.ts';
import { idlePowerKw, itPowerKw } from '../models/energy.ts';
import { durationOnS } from '../models/equivalence.ts';
import type { Cycle } from './cycle.ts';
import { type JobEvaluation, Option, type ScoredOption, type Staging, stagingAt } from './option.ts';
import type { Profile } from './profile.ts';
import type { Rejection } from './status.ts';

interface Filtered {
  readonly siteId: string;
  readonly plugin: string;
  readonly code: 'unschedulable' | 'unresolvable' | 'error';
  readonly reason: string;
}

const OBJECTIVES: readonly (keyof ObjectiveWeights)[] = ['cost', 'carbon', 'time'];

/** Runs a plug-in call; a throw becomes an `error` rejection attributed to the plug-in. */
function guarded<T>(plugin: string, call: () => T): T | { readonly code: 'error'; readonly reason: string } {
  try {
    return call();
  } catch (e) {
    return { code: 'error', reason: `plug-in ${plugin} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Evaluates one job over every site: pre-filters, site filters, then for each pool of an accepted
 * type its earliest option (and later starts for a flexible job) through the filters, then scores.
 * The runner, not the plug-ins, records which plug-in rejected what: that record is the explanation.
 */
export function evaluateJob(cycle: Cycle, job: Job, profile: Profile): JobEvaluation {
  for (const pre of profile.preFilters) {
    const r = guarded(pre.name, () => pre.preFilter(cycle, job));
    if (r) {
      const verdicts: SiteVerdict[] = cycle.net.sites.map((s) => ({
        siteId: s.site.id,
        outcome: 'filtered',
        plugin: pre.name,
        code: r.code,
        reason: r.reason,
      }));
      return { rejected: { plugin: pre.name, code: r.code, reason: r.reason }, options: [], ranked: [], verdicts };
    }
  }

  const filtered: Filtered[] = [];
  const feasible: Option[] = [];
  const spec = (type: string) => cycle.net.accelerators.get(type);
  const shift = profile.timeShift;
  const deadlineS = job.deadlineS;

  for (const site of cycle.net.sites) {
    let siteRejection: Filtered | undefined;
    for (const f of profile.siteFilters) {
      const r = guarded(f.name, () => f.filterSite(cycle, job, site));
      if (r) {
        siteRejection = { siteId: site.site.id, plugin: f.name, code: r.code, reason: r.reason };
        break;
      }
    }
    if (siteRejection) {
      filtered.push(siteRejection);
      continue;
    }

    let staging: Staging | undefined;
    let furthest:
      | { depth: number; plugin: string; rejection: Rejection | { code: 'error'; reason: string } }
      | undefined;
    let anyFeasible = false;
    for (const choice of job.options) {
      const pools = site.poolsByType.get(choice.accelerator);
      if (!pools) continue;
      const poolSpec = spec(choice.accelerator);
      if (!poolSpec) continue;
      const durationS = durationOnS(job, choice, spec);
      const count = choice.perMember * job.gang;
      const kw = (itPowerKw(poolSpec, job.kind, count) - idlePowerKw(poolSpec, count)) * site.site.pue;
      staging ??= stagingAt(cycle, job, site);
      for (const pool of pools) {
        const earliest =
          count > pool.pool.count
            ? { startS: Number.POSITIVE_INFINITY, boundBy: 'capacity' as const }
            : cycle.earliestStart(pool, count, durationS, kw, cycle.nowS + staging.transferS);
        const first = new Option(
          cycle,
          job,
          pool,
          choice,
          durationS,
          staging,
          earliest,
          earliest.startS,
          profile.carbonSignal,
        );
        const starts = [first];
        if (shift && deadlineS !== undefined && Number.isFinite(earliest.startS)) {
          // Later whole-step starts a flexible job may take, while it still meets its deadline.
          const last = Math.min(deadlineS - durationS, cycle.nowS + shift.horizonS);
          let t = Math.ceil((earliest.startS + 1) / shift.stepS) * shift.stepS;
          for (; t <= last; t += shift.stepS) {
            if (cycle.fitsAt(pool, count, t, durationS, kw)) starts.push(first.at(t));
          }
        }
        for (const option of starts) {
          let depth = 0;
          let rejected = false;
          for (const f of profile.filters) {
            const r = guarded(f.name, () => f.filter(cycle, job, option));
            if (r) {
              if (!furthest || depth > furthest.depth) furthest = { depth, plugin: f.name, rejection: r };
              rejected = true;
              break;
            }
            depth++;
          }
          if (!rejected) {
            feasible.push(option);
            anyFeasible = true;
          }
        }
      }
    }
    if (!anyFeasible) {
      filtered.push(
        furthest
          ? {
              siteId: site.site.id,
              plugin: furthest.plugin,
              code: furthest.rejection.code,
              reason: furthest.rejection.reason,
            }
          : {
              siteId: site.site.id,
              plugin: 'accelerator-type',
              code: 'unresolvable',
              reason: 'no pool of an accepted accelerator type',
            },
      );
    }
  }

  const options = scoreOptions(cycle, job, profile, feasible);
  const ranked = bestPerSite(options);
  const verdicts = explainSites(ranked, filtered, profile.explain);
  return { options, ranked, verdicts };
}

function explainSites(ranked: readonly ScoredOption[], filtered: Filtered[], mode: 'full' | 'brief'): SiteVerdict[] {
  const shown = mode === 'brief' ? ranked.slice(0, 5) : ranked;
  const verdicts: SiteVerdict[] = shown.map((s, i) => ({
    siteId: s.option.site.site.id,
    outcome: 'scored',
    poolId: s.option.pool.pool.id,
    accelerator: s.option.choice.accelerator,
    count: s.option.count,
    estimate: s.option.estimate(),
    scores: s.scores,
    total: s.total,
    rank: i + 1,
  }));
  if (mode === 'brief') return verdicts;
  filtered.sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
  for (const f of filtered) {
    verdicts.push({ siteId: f.siteId, outcome: 'filtered', plugin: f.plugin, code: f.code, reason: f.reason });
  }
  return verdicts;
}

/** Sites left out of a brief explanation, counted by the plug-in that filtered them. */
export function omittedCounts(evaluation: JobEvaluation, totalSites: number): Record<string, number> | undefined {
  const shown = evaluation.verdicts.length;
  if (shown >= totalSites) return undefined;
  return { scored: Math.max(0, evaluation.ranked.length - shown), filtered: totalSites - evaluation.ranked.length };
}

/**
 * Normalised score of a measure against the best (lowest) one: 100 × best ÷ value, so twice the
 * cost scores 50 and a 2 % longer run scores 98 (docs/adr/0005).
 */
export function ratioToBest(value: number, best: number): number {
  if (value <= best || value <= 0) return 100;
  return Math.round((100 * Math.max(best, 0)) / value);
}

function scoreOptions(cycle: Cycle, job: Job, profile: Profile, feasible: readonly Option[]): ScoredOption[] {
  const n = feasible.length;
  if (n === 0) return [];
  const normalised: Record<keyof ObjectiveWeights, Float64Array> = {
    cost: new Float64Array(n),
    carbon: new Float64Array(n),
    time: new Float64Array(n),
  };
  const weightOf: Record<keyof ObjectiveWeights, number> = { cost: 0, carbon: 0, time: 0 };
  const raw = new Float64Array(n);
  const scores = new Int32Array(n);
  for (const { plugin, weight } of profile.scores) {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const o = feasible[i];
      const v = o ? plugin.measure(cycle, job, o) : 0;
      raw[i] = v;
      if (v < best) best = v;
    }
    if (plugin.normalize) plugin.normalize(raw, scores);
    else for (let i = 0; i < n; i++) scores[i] = ratioToBest(raw[i] ?? 0, best);
    // Several plug-ins on one objective combine by their profile weights.
    const target = normalised[plugin.objective];
    for (let i = 0; i < n; i++) target[i] = (target[i] ?? 0) + weight * (scores[i] ?? 0);
    weightOf[plugin.objective] += weight;
  }

  const w = job.objective;
  let weightSum = 0;
  for (const o of OBJECTIVES) if (weightOf[o] > 0) weightSum += w[o];
  const out: ScoredOption[] = [];
  for (let i = 0; i < n; i++) {
    const option = feasible[i];
    if (!option) continue;
    const s: ObjectiveScores = {
      cost: weightOf.cost > 0 ? Math.round((normalised.cost[i] ?? 0) / weightOf.cost) : 0,
      carbon: weightOf.carbon > 0 ? Math.round((normalised.carbon[i] ?? 0) / weightOf.carbon) : 0,
      time: weightOf.time > 0 ? Math.round((normalised.time[i] ?? 0) / weightOf.time) : 0,
    };
    let sum = 0;
    for (const o of OBJECTIVES) if (weightOf[o] > 0) sum += w[o] * s[o];
    out.push({ option, scores: s, total: weightSum > 0 ? Math.round(sum / weightSum) : 0 });
  }
  return out.sort(better);
}

/** Deterministic order: higher total, then lower cost (to the cent), then earlier start, then pool id. */
function better(a: ScoredOption, b: ScoredOption): number {
  if (a.total !== b.total) return b.total - a.total;
  const ea = a.option.estimate();
  const eb = b.option.estimate();
  // Cents, so that rounding noise in the figures never decides between equal options.
  const ca = Math.round(ea.costCny * 100);
  const cb = Math.round(eb.costCny * 100);
  if (ca !== cb) return ca - cb;
  if (ea.startS !== eb.startS) return ea.startS - eb.startS;
  const pa = a.option.pool.pool.id;
  const pb = b.option.pool.pool.id;
  if (pa !== pb) return pa < pb ? -1 : 1;
  return a.option.choice.accelerator < b.option.choice.accelerator
    ? -1
    : a.option.choice.accelerator > b.option.choice.accelerator
      ? 1
      : 0;
}

function bestPerSite(sorted: readonly ScoredOption[]): ScoredOption[] {
  const seen = new Set<string>();
  const out: ScoredOption[] = [];
  for (const s of sorted) {
    const id = s.option.site.site.id;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(s);
  }
  return out;
}

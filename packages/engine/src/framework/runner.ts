import type { Job, ObjectiveWeights } from '../domain/job.ts';
import type { ObjectiveScores, SiteVerdict } from '../domain/placement.ts';
import { Candidate } from './candidate.ts';
import type { Cycle } from './cycle.ts';
import type { Profile } from './plugin.ts';
import type { Rejection } from './status.ts';

/** A feasible candidate with its normalised scores. */
export interface ScoredCandidate {
  readonly candidate: Candidate;
  readonly scores: ObjectiveScores;
  readonly total: number;
}

export interface JobEvaluation {
  /** The best candidate of each feasible site, best site first. */
  readonly ranked: readonly ScoredCandidate[];
  /** One verdict per site of the network: ranked sites first, then filtered sites by id. */
  readonly verdicts: readonly SiteVerdict[];
}

interface Filtered {
  readonly siteId: string;
  readonly plugin: string;
  readonly rejection: Rejection;
}

const OBJECTIVES: readonly (keyof ObjectiveWeights)[] = ['cost', 'carbon', 'time'];

/**
 * Runs the profile's filters and scores for one job over every site of the network. The runner,
 * not the plug-ins, records which plug-in rejected what: that record is the explanation.
 */
export function evaluateJob(cycle: Cycle, job: Job, profile: Profile): JobEvaluation {
  const filtered: Filtered[] = [];
  const feasible: Candidate[] = [];

  for (const site of cycle.net.sites) {
    let siteRejection: Filtered | undefined;
    for (const f of profile.siteFilters) {
      const r = f.filterSite(cycle, job, site);
      if (r) {
        siteRejection = { siteId: site.site.id, plugin: f.name, rejection: r };
        break;
      }
    }
    if (siteRejection) {
      filtered.push(siteRejection);
      continue;
    }

    // The furthest any candidate of this site got through the pool filters, for the explanation.
    let furthest: { depth: number; plugin: string; rejection: Rejection } | undefined;
    let anyFeasible = false;
    for (const option of job.options) {
      for (const pool of site.site.pools) {
        if (pool.accelerator !== option.accelerator) continue;
        const prepared = cycle.net.poolById.get(pool.id);
        if (!prepared) continue;
        const candidate = new Candidate(cycle, job, prepared, option);
        let depth = 0;
        let rejected = false;
        for (const f of profile.poolFilters) {
          const r = f.filterPool(cycle, job, candidate);
          if (r) {
            if (!furthest || depth > furthest.depth) furthest = { depth, plugin: f.name, rejection: r };
            rejected = true;
            break;
          }
          depth++;
        }
        if (!rejected) {
          feasible.push(candidate);
          anyFeasible = true;
        }
      }
    }
    if (!anyFeasible) {
      filtered.push({
        siteId: site.site.id,
        plugin: furthest?.plugin ?? 'accelerator-type',
        rejection: furthest?.rejection ?? {
          code: 'unresolvable',
          reason: 'no pool of an accepted accelerator type',
        },
      });
    }
  }

  const scored = scoreCandidates(cycle, job, profile, feasible);
  const ranked = bestPerSite(scored);
  const verdicts: SiteVerdict[] = ranked.map((s, i) => ({
    siteId: s.candidate.site.site.id,
    outcome: 'scored',
    poolId: s.candidate.pool.pool.id,
    accelerator: s.candidate.option.accelerator,
    count: s.candidate.count,
    estimate: s.candidate.estimate(),
    scores: s.scores,
    total: s.total,
    rank: i + 1,
  }));
  filtered.sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
  for (const f of filtered) {
    verdicts.push({
      siteId: f.siteId,
      outcome: 'filtered',
      plugin: f.plugin,
      code: f.rejection.code,
      reason: f.rejection.reason,
    });
  }
  return { ranked, verdicts };
}

function scoreCandidates(cycle: Cycle, job: Job, profile: Profile, feasible: readonly Candidate[]): ScoredCandidate[] {
  const n = feasible.length;
  if (n === 0) return [];
  const normalised: Record<keyof ObjectiveWeights, Int32Array> = {
    cost: new Int32Array(n).fill(100),
    carbon: new Int32Array(n).fill(100),
    time: new Int32Array(n).fill(100),
  };
  const perObjective: Record<keyof ObjectiveWeights, number> = { cost: 0, carbon: 0, time: 0 };
  const raw = new Float64Array(n);
  for (const plugin of profile.scores) {
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const c = feasible[i];
      const v = c ? plugin.measure(cycle, job, c) : 0;
      raw[i] = v;
      if (v < min) min = v;
    }
    const target = normalised[plugin.objective];
    const seen = perObjective[plugin.objective]++;
    for (let i = 0; i < n; i++) {
      const score = ratioToBest(raw[i] ?? 0, min);
      // Several plug-ins on one objective share it equally.
      target[i] = seen === 0 ? score : Math.round(((target[i] ?? 0) * seen + score) / (seen + 1));
    }
  }

  const w = job.objective;
  const weightSum = w.cost + w.carbon + w.time;
  const out: ScoredCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const candidate = feasible[i];
    if (!candidate) continue;
    const scores: ObjectiveScores = {
      cost: normalised.cost[i] ?? 0,
      carbon: normalised.carbon[i] ?? 0,
      time: normalised.time[i] ?? 0,
    };
    const total = weightSum > 0 ? Math.round(OBJECTIVES.reduce((sum, o) => sum + w[o] * scores[o], 0) / weightSum) : 0;
    out.push({ candidate, scores, total });
  }
  return out;
}

/**
 * Normalised score of a measure against the best (lowest) one: 100 × best ÷ value, so twice the
 * cost scores 50 and a 2 % longer run scores 98. Ratios, unlike min-max, do not blow small
 * differences up to the whole 0..100 range.
 */
function ratioToBest(value: number, best: number): number {
  if (value <= best || value <= 0) return 100;
  return Math.round((100 * Math.max(best, 0)) / value);
}

/** Deterministic order: higher total, then lower cost, then earlier start, then pool id. */
function better(a: ScoredCandidate, b: ScoredCandidate): number {
  if (a.total !== b.total) return b.total - a.total;
  const ea = a.candidate.estimate();
  const eb = b.candidate.estimate();
  if (ea.costCny !== eb.costCny) return ea.costCny - eb.costCny;
  if (ea.startS !== eb.startS) return ea.startS - eb.startS;
  const pa = a.candidate.pool.pool.id;
  const pb = b.candidate.pool.pool.id;
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

function bestPerSite(scored: readonly ScoredCandidate[]): ScoredCandidate[] {
  const best = new Map<string, ScoredCandidate>();
  for (const s of scored) {
    const id = s.candidate.site.site.id;
    const current = best.get(id);
    if (!current || better(s, current) < 0) best.set(id, s);
  }
  return [...best.values()].sort(better);
}

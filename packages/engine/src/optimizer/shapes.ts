import type { Job } from '../domain/job.ts';
import type { Cycle } from '../framework/cycle.ts';
import type { JobEvaluation } from '../framework/option.ts';
import type { SiteFilterPlugin } from '../framework/plugin.ts';
import type { Profile } from '../framework/profile.ts';
import { evaluateJob } from '../framework/runner.ts';
import type { Rejection } from '../framework/status.ts';

/**
 * What decides where a job can run well, as one string: the accelerators it accepts and how many,
 * its gang, data, site restrictions, origin and the facts governance reads. Jobs of one shape rank
 * sites alike; what tells them apart (run time, deadline, budget, objective weights, tenant,
 * kind, priority) is read when each is evaluated.
 */
export function shapeKey(job: Job): string {
  return JSON.stringify([job.options, ...where(job)]);
}

/**
 * Jobs that differ only in how many accelerators they take rank sites alike (cost and energy grow
 * with the count at every site alike): they share the ranking of sites.
 */
function rankingKey(job: Job): string {
  return JSON.stringify([job.options.map((o) => o.accelerator), ...where(job)]);
}

function where(job: Job): unknown[] {
  return [
    job.gang,
    job.datasets,
    job.sites ?? null,
    job.originSiteId ?? null,
    job.model ?? null,
    job.exposure ?? null,
    job.servesSector ?? null,
  ];
}

/** Tuning of the shared evaluation. */
export const SHARING = {
  /** Shapes with fewer jobs are evaluated job by job over every site. */
  minJobs: 3,
  /** Sites kept per objective (best by the weighted total, by cost, by carbon). */
  sitesPerObjective: 5,
} as const;

const NOT_CONSIDERED: Rejection = {
  code: 'unschedulable',
  reason: 'not among the sites the batch optimizer considered for jobs of this shape',
};

/** The jobs' evaluations, and for each how many sites it was evaluated on (0: all of them). */
export interface SharedEvaluations {
  readonly evaluations: readonly JobEvaluation[];
  readonly considered: Int32Array;
  readonly shapeOf: readonly string[];
}

/**
 * Evaluates a batch with the work shared by shape. Of the shapes that differ only in how many
 * accelerators they take, the job that takes the fewest (without its deadline or budget, and
 * without later starts) is evaluated over every site; the sites best for it by the weighted total,
 * by cost and by carbon are the candidates. Then every job of those shapes is evaluated in full —
 * its own run time, deadline, filters, later starts and scores — but on the candidates only, so an
 * evaluation costs a few sites, not the whole network. A job that no candidate can take is
 * evaluated again over every site.
 */
export function evaluateShared(cycle: Cycle, jobs: readonly Job[], profile: Profile): SharedEvaluations {
  const byRanking = new Map<string, number[]>();
  jobs.forEach((job, j) => {
    const key = rankingKey(job);
    const list = byRanking.get(key);
    if (list) list.push(j);
    else byRanking.set(key, [j]);
  });
  const evaluations: JobEvaluation[] = new Array(jobs.length);
  const considered = new Int32Array(jobs.length);
  // Candidates are ranked without later starts or explanations: only the sites' best options matter.
  const { timeShift: _shift, ...rigid } = profile;
  const ranking: Profile = { ...rigid, explain: 'none' };
  const sites = cycle.net.sites.length;
  for (const members of byRanking.values()) {
    // The job that takes the fewest accelerators: every pool that can hold another can hold it.
    const size = (j: number) => ((jobs[j] as Job).options[0]?.perMember ?? 0) * (jobs[j] as Job).gang;
    const first = jobs[members.reduce((a, b) => (size(b) < size(a) ? b : a))] as Job;
    const candidates = members.length >= SHARING.minJobs ? candidateSites(cycle, first, ranking) : undefined;
    if (!candidates || candidates.size >= sites) {
      for (const j of members) evaluations[j] = evaluateJob(cycle, jobs[j] as Job, profile, true);
      continue;
    }
    const mask = new Uint8Array(sites);
    for (const s of candidates) mask[s] = 1;
    const only: SiteFilterPlugin = {
      name: 'batch-optimizer',
      filterSite: (_cycle, _job, site) => (mask[site.index] === 1 ? null : NOT_CONSIDERED),
    };
    const restricted: Profile = { ...profile, siteFilters: [only, ...profile.siteFilters] };
    for (const j of members) {
      const job = jobs[j] as Job;
      const ev = evaluateJob(cycle, job, restricted, true);
      if (ev.feasible === 0 && !ev.rejected) {
        evaluations[j] = evaluateJob(cycle, job, profile, true);
      } else {
        evaluations[j] = ev;
        considered[j] = candidates.size;
      }
    }
  }
  return { evaluations, considered, shapeOf: jobs.map(shapeKey) };
}

/**
 * The sites best for a job of this shape, by the weighted total, by cost and by carbon: those a job
 * of the shape, whatever its weights, most likely ranks first. Undefined when it fits nowhere.
 */
function candidateSites(cycle: Cycle, job: Job, profile: Profile): Set<number> | undefined {
  const { deadlineS: _deadline, budgetCny: _budget, ...generic } = job;
  const ev = evaluateJob(cycle, generic, profile, true);
  if (ev.feasible === 0) return undefined;
  const bySite = new Map<number, { total: number; cost: number; carbon: number }>();
  for (let i = 0; i < ev.feasible; i++) {
    const o = ev.option(i);
    const s = o.site.index;
    const total = ev.totals[i] as number;
    const b = bySite.get(s);
    if (!b) bySite.set(s, { total, cost: o.costCny, carbon: o.carbonKg });
    else {
      b.total = Math.max(b.total, total);
      b.cost = Math.min(b.cost, o.costCny);
      b.carbon = Math.min(b.carbon, o.carbonKg);
    }
  }
  const all = [...bySite.entries()];
  const take = (better: (a: (typeof all)[number][1], b: (typeof all)[number][1]) => number) =>
    [...all]
      .sort((a, b) => better(a[1], b[1]) || a[0] - b[0])
      .slice(0, SHARING.sitesPerObjective)
      .map(([s]) => s);
  return new Set([
    ...take((a, b) => b.total - a.total),
    ...take((a, b) => a.cost - b.cost),
    ...take((a, b) => a.carbon - b.carbon),
  ]);
}

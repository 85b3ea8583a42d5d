import type { Job } from '../domain/job.ts';
import { choicesOf } from './choices.ts';
import type { Cycle } from './cycle.ts';
import { explainSites, filteredVerdict } from './explain.ts';
import { type JobEvaluation, stagingAt } from './option.ts';
import type { Profile } from './profile.ts';
import { rankOptions } from './ranking.ts';
import { SiteWalk } from './site-walk.ts';
import { type Failure, pluginError } from './status.ts';

/**
 * Evaluates one job over every site, in three steps: the pre-filters; the walk over the sites
 * (site filters, then each pool's options through the filters and the score plug-ins' measures);
 * the ranking of the feasible options. Then, separately, the explanation. The runner, not the
 * plug-ins, records which plug-in rejected what: that record is the explanation.
 *
 * `keep` keeps every feasible option, for the batch optimizer; otherwise only the ranked ones are built.
 */
export function evaluateJob(cycle: Cycle, job: Job, profile: Profile, keep = false): JobEvaluation {
  const rejected = preFilter(cycle, job, profile);
  if (rejected) return rejectedByPreFilter(cycle, profile, rejected.plugin, rejected.failure);

  const choices = choicesOf(cycle.net, job);
  const walk = new SiteWalk(cycle, job, profile, choices);
  for (const site of cycle.net.sites) walk.visit(site);
  const ranking = rankOptions(cycle, job, profile, choices, walk.stagings, keep);
  return {
    ...ranking,
    verdicts: explainSites(ranking.ranked, walk.filtered, profile.explain),
    candidateSites: walk.candidateSites,
    unresolvable: walk.allUnresolvable && cycle.net.sites.length > 0,
  };
}

function preFilter(cycle: Cycle, job: Job, profile: Profile): { plugin: string; failure: Failure } | null {
  for (const pre of profile.preFilters) {
    let r: Failure | null;
    try {
      r = pre.preFilter(cycle, job);
    } catch (e) {
      r = pluginError(pre.name, e);
    }
    if (r) return { plugin: pre.name, failure: r };
  }
  return null;
}

/** A job a pre-filter rejected as a whole: every site is filtered by that plug-in. */
function rejectedByPreFilter(cycle: Cycle, profile: Profile, plugin: string, failure: Failure): JobEvaluation {
  const sites = cycle.net.sites;
  return {
    rejected: { plugin, code: failure.code, reason: failure.reason },
    ranked: [],
    feasibleSites: 0,
    feasible: 0,
    totals: new Float64Array(0),
    option: () => {
      throw new Error('no feasible options');
    },
    verdicts: profile.explain === 'none' ? [] : sites.map((s) => filteredVerdict(s, plugin, failure)),
    candidateSites: failure.code === 'unschedulable' ? sites.map((s) => s.index) : [],
    unresolvable: failure.code === 'unresolvable',
  };
}

/**
 * A cheap necessary condition for a job to start now: some site passes the site filters and has a
 * pool of an accepted type, big enough for the job, with enough accelerators free once its data
 * is staged. `no` means no option of a full evaluation could start now (power, quota and the
 * other filters only ever say no more often); `maybe` that one might. `maybe` too when no pool
 * could ever hold the job: only a full evaluation says why it is unresolvable.
 */
export function couldStartNow(cycle: Cycle, job: Job, profile: Profile): 'maybe' | 'no' {
  let anyPool = false;
  const siteFilters = profile.siteFilters;
  for (const site of cycle.net.sites) {
    if (cycle.outageOf(site)) continue;
    let ok = true;
    for (const f of siteFilters) {
      let r: Failure | null;
      try {
        r = f.filterSite(cycle, job, site);
      } catch {
        r = null; // the full evaluation will record the error
      }
      if (r) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    let readyS = Number.NaN;
    for (const choice of job.options) {
      const pools = site.poolsByType.get(choice.accelerator);
      if (!pools) continue;
      const count = choice.perMember * job.gang;
      for (const pool of pools) {
        if (count > pool.pool.count) continue;
        if (job.market && job.market.poolPrices[pool.pool.id] === undefined) continue;
        anyPool = true;
        if (Number.isNaN(readyS)) readyS = cycle.nowS + stagingAt(cycle, job, site).transferS;
        if (!Number.isFinite(readyS)) break;
        const free = readyS === cycle.nowS ? cycle.freeNow(pool) : cycle.freeAt(pool, readyS);
        if (free < count) continue;
        const nodes = cycle.nodesOf(pool);
        if (readyS === cycle.nowS && nodes && !nodes.occupancy.fits(choice.perMember, job.gang)) continue;
        return 'maybe';
      }
    }
  }
  return anyPool ? 'no' : 'maybe';
}

import type { SiteOutage } from '../domain/health.ts';
import type { Job } from '../domain/job.ts';
import type { SiteVerdict } from '../domain/placement.ts';
import { meanOver } from '../models/hourly-profile.ts';
import type { Choice } from './choices.ts';
import { BOUND_CODE, type BoundBy, type Cycle } from './cycle.ts';
import { filteredVerdict } from './explain.ts';
import { Option, type Staging, stagingAt } from './option.ts';
import type { PreparedPool, PreparedSite } from './prepared-network.ts';
import type { Profile } from './profile.ts';
import type { Columns } from './scratch.ts';
import { type Failure, pluginError } from './status.ts';

/** Who speaks in explanations for sites and links out of service (the framework, not a plug-in). */
export const SITE_HEALTH = 'site-health';
/** Rejections of pools a market job did not buy (spot offers, a contract): attributed to the market. */
export const MARKET = 'market';

/** Why a site out of service takes no job. */
export function outageFailure(o: SiteOutage): Failure {
  return { code: 'unschedulable', reason: `${o.siteId} is out of service (${o.failureClass}): ${o.reason}` };
}

type Filter = (cycle: Cycle, job: Job, option: Option) => Failure | null;

/**
 * A profile's filter and measure calls as plain functions, built once per profile: calling
 * `f.filter` on plug-in objects of different shapes is a megamorphic load in the hottest loop; an
 * array of functions is not.
 */
interface Compiled {
  readonly filters: readonly Filter[];
  readonly filterNames: readonly string[];
  readonly measures: readonly ((cycle: Cycle, job: Job, option: Option) => number)[];
}

const compiledProfiles = new WeakMap<Profile, Compiled>();

function compile(profile: Profile): Compiled {
  let c = compiledProfiles.get(profile);
  if (!c) {
    c = {
      filters: profile.filters.map((f) => f.filter.bind(f)),
      filterNames: profile.filters.map((f) => f.name),
      measures: profile.scores.map(({ plugin }) => plugin.measure.bind(plugin)),
    };
    compiledProfiles.set(profile, c);
  }
  return c;
}

/**
 * The evaluation of one job, site by site: the site filters, then for each pool of an accepted type
 * its earliest option (and later starts for a flexible job) through the filters and the score
 * plug-ins' measures. Feasible options go into the cycle's columns; a site with none is recorded
 * as filtered, attributed to the filter that got furthest.
 *
 * Hot path: it runs for every queued job in every cycle. One reused option object walks the
 * candidates; only numbers are kept.
 */
export class SiteWalk {
  /** Sites rejected, in network order, with the plug-in that rejected each. */
  readonly filtered: SiteVerdict[] = [];
  /** Sites with a feasible option or only a rejection that may pass later. */
  readonly candidateSites: number[] = [];
  /** Staging of the job's data at each site looked at, by site index. */
  readonly stagings: (Staging | undefined)[];
  /** True while every site seen rejected the job for good. */
  allUnresolvable = true;

  private readonly cols: Columns;
  private readonly cursor: Option;
  private readonly compiled: Compiled;
  private readonly quiet: boolean;
  private furthestDepth = -1;
  private furthestBy = '';
  private furthest: Failure = { code: 'unresolvable', reason: '' };

  private readonly cycle: Cycle;
  private readonly job: Job;
  private readonly profile: Profile;
  private readonly choices: readonly Choice[];

  constructor(cycle: Cycle, job: Job, profile: Profile, choices: readonly Choice[]) {
    this.cycle = cycle;
    this.job = job;
    this.profile = profile;
    this.choices = choices;
    this.cols = cycle.scratch.columns;
    this.cols.reset(profile.scores.length);
    this.stagings = new Array(cycle.net.sites.length);
    this.cursor = new Option(cycle, job, profile.carbonSignal);
    this.compiled = compile(profile);
    this.quiet = profile.explain === 'none';
  }

  /** Evaluates every option of the job at one site. */
  visit(site: PreparedSite): void {
    const outage = this.cycle.outageOf(site);
    if (outage) {
      // Out of service is not for good (it may come back), but no preemption there helps either.
      this.allUnresolvable = false;
      if (!this.quiet) this.filtered.push(filteredVerdict(site, SITE_HEALTH, outageFailure(outage)));
      return;
    }
    const rejected = this.siteFilters(site);
    if (rejected) {
      this.noted(site, rejected.failure);
      if (!this.quiet) this.filtered.push(filteredVerdict(site, rejected.plugin, rejected.failure));
      return;
    }
    this.furthestDepth = -1;
    this.furthestBy = 'accelerator-type';
    this.furthest = { code: 'unresolvable', reason: 'no pool of an accepted accelerator type' };
    const before = this.cols.size;
    for (let ci = 0; ci < this.choices.length; ci++) {
      const c = this.choices[ci] as Choice;
      const pools = site.poolsByType.get(c.choice.accelerator);
      if (!pools) continue;
      let staging = this.stagings[site.index];
      if (!staging) {
        staging = stagingAt(this.cycle, this.job, site);
        this.stagings[site.index] = staging;
      }
      if (staging.unreachable !== undefined) {
        this.allUnresolvable = false;
        if (!this.quiet)
          this.filtered.push(
            filteredVerdict(site, SITE_HEALTH, { code: 'unschedulable', reason: staging.unreachable }),
          );
        return;
      }
      for (const pool of pools) this.pool(pool, c, ci, staging);
    }
    if (this.cols.size > before) {
      this.allUnresolvable = false;
      this.candidateSites.push(site.index);
    } else {
      this.noted(site, this.furthest);
      if (!this.quiet) this.filtered.push(filteredVerdict(site, this.furthestBy, this.furthest));
    }
  }

  /** The first site filter that rejects the site, if any. */
  private siteFilters(site: PreparedSite): { plugin: string; failure: Failure } | null {
    for (const f of this.profile.siteFilters) {
      let r: Failure | null;
      try {
        r = f.filterSite(this.cycle, this.job, site);
      } catch (e) {
        r = pluginError(f.name, e);
      }
      if (r) return { plugin: f.name, failure: r };
    }
    return null;
  }

  /** Counts a site's rejection towards the job's: unresolvable only if every site's is. */
  private noted(site: PreparedSite, failure: Failure): void {
    if (failure.code !== 'unresolvable') this.allUnresolvable = false;
    if (failure.code === 'unschedulable') this.candidateSites.push(site.index);
  }

  /** The pool's earliest option for one choice and, for a flexible job, its later starts worth taking. */
  private pool(pool: PreparedPool, c: Choice, ci: number, staging: Staging): void {
    const { cycle, cursor } = this;
    const market = this.job.market;
    if (market && market.poolPrices[pool.pool.id] === undefined) {
      if (this.furthestDepth < 0) {
        this.furthestBy = MARKET;
        this.furthest = {
          code: 'unschedulable',
          reason:
            market.kind === 'spot'
              ? `no open spot offer at ${pool.pool.id}`
              : `contract ${market.id ?? ''} is for another pool than ${pool.pool.id}`,
        };
      }
      return;
    }
    const pue = pool.site.site.pue;
    const kw = c.incrementItKw * pue;
    let earliestS = Number.POSITIVE_INFINITY;
    let boundBy: BoundBy = 'capacity';
    if (c.count <= pool.pool.count) {
      earliestS = cycle.earliestStart(
        pool,
        c.count,
        c.durationS,
        kw,
        cycle.nowS + staging.transferS,
        c.choice.perMember,
      );
      boundBy = cycle.boundBy;
    }
    cursor.set(pool, c.choice, c.count, c.durationS, kw, c.itKw * pue, staging, earliestS, boundBy, earliestS);
    this.consider(pool.index, ci);
    // A flexible job may also start later, at whole steps, while it meets its deadline. A later
    // start is only worth it in hours that are cheaper or greener than the earliest start's:
    // others cost no less, emit no less and end later, so they are never the better option.
    const shift = this.profile.timeShift;
    const deadlineS = this.job.deadlineS;
    if (!shift || deadlineS === undefined || !Number.isFinite(earliestS)) return;
    const site = pool.site;
    const last = Math.min(deadlineS - c.durationS, cycle.nowS + shift.horizonS);
    const tariff0 = meanOver(site.tariff, earliestS, earliestS + c.durationS);
    const carbon0 = meanOver(site.carbon, earliestS, earliestS + c.durationS);
    for (let t = Math.ceil((earliestS + 1) / shift.stepS) * shift.stepS; t <= last; t += shift.stepS) {
      const end = t + c.durationS;
      if (meanOver(site.tariff, t, end) >= tariff0 && meanOver(site.carbon, t, end) >= carbon0) continue;
      if (!cycle.fitsAt(pool, c.count, t, c.durationS, kw, c.choice.perMember)) continue;
      cursor.set(pool, c.choice, c.count, c.durationS, kw, c.itKw * pue, staging, earliestS, boundBy, t);
      this.consider(pool.index, ci);
    }
  }

  /** Runs the filters on the cursor; records it with its measures if it passes, the furthest rejection if not. */
  private consider(poolIndex: number, choiceIndex: number): void {
    const { cycle, job, cursor, cols } = this;
    const { filters, filterNames, measures } = this.compiled;
    for (let depth = 0; depth < filters.length; depth++) {
      let r: Failure | null;
      try {
        r = (filters[depth] as Filter)(cycle, job, cursor);
      } catch (e) {
        r = pluginError(filterNames[depth] as string, e);
      }
      if (r) {
        if (depth > this.furthestDepth) {
          this.furthestDepth = depth;
          this.furthestBy = filterNames[depth] as string;
          this.furthest = r;
        }
        return;
      }
    }
    const i = cols.push(
      poolIndex,
      choiceIndex,
      cursor.startS,
      cursor.earliestS,
      BOUND_CODE[cursor.boundBy],
      Math.round(cursor.costCny * 100),
    );
    for (let p = 0; p < measures.length; p++) {
      (cols.measures[p] as Float64Array)[i] = (measures[p] as (typeof measures)[number])(cycle, job, cursor);
    }
  }
}

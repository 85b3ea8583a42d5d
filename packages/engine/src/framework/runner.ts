import type { AcceleratorOption, Job } from '../domain/job.ts';
import type { SiteVerdict } from '../domain/placement.ts';
import { idlePowerKw, itPowerKw } from '../models/energy.ts';
import { durationOnS } from '../models/equivalence.ts';
import { meanOver } from '../models/hourly-profile.ts';
import type { Cycle } from './cycle.ts';
import { type JobEvaluation, Option, type ScoredOption, type Staging, stagingAt } from './option.ts';
import type { Profile } from './profile.ts';

type Failure = { readonly code: 'unschedulable' | 'unresolvable' | 'error'; readonly reason: string };

function failure(plugin: string, e: unknown): Failure {
  return { code: 'error', reason: `plug-in ${plugin} failed: ${e instanceof Error ? e.message : String(e)}` };
}

/** What the runner knows of one accepted accelerator choice, computed once per job. */
interface Choice {
  readonly choice: AcceleratorOption;
  readonly count: number;
  readonly durationS: number;
  /** IT power running, and over idle, before PUE. */
  readonly itKw: number;
  readonly incrementItKw: number;
}

const OBJECTIVE_INDEX = { cost: 0, carbon: 1, time: 2 } as const;

/**
 * Feasible options of one job, as columns (struct of arrays): the hot path keeps numbers, not
 * objects. Grown as needed and reused across jobs; an evaluation copies out what it keeps.
 */
class Columns {
  size = 0;
  pool = new Int32Array(0);
  choice = new Int32Array(0);
  startS = new Float64Array(0);
  earliestS = new Float64Array(0);
  bound = new Uint8Array(0);
  cents = new Float64Array(0);
  measures: Float64Array[] = [];

  reset(plugins: number): void {
    this.size = 0;
    while (this.measures.length < plugins) this.measures.push(new Float64Array(this.pool.length));
  }

  push(pool: number, choice: number, startS: number, earliestS: number, bound: number, cents: number): number {
    const i = this.size++;
    if (i >= this.pool.length) this.grow(Math.max(256, this.pool.length * 2));
    this.pool[i] = pool;
    this.choice[i] = choice;
    this.startS[i] = startS;
    this.earliestS[i] = earliestS;
    this.bound[i] = bound;
    this.cents[i] = cents;
    return i;
  }

  private grow(n: number): void {
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.pool = grown(this.pool, (k) => new Int32Array(k));
    this.choice = grown(this.choice, (k) => new Int32Array(k));
    this.startS = grown(this.startS, (k) => new Float64Array(k));
    this.earliestS = grown(this.earliestS, (k) => new Float64Array(k));
    this.bound = grown(this.bound, (k) => new Uint8Array(k));
    this.cents = grown(this.cents, (k) => new Float64Array(k));
    this.measures = this.measures.map((m) => grown(m, (k) => new Float64Array(k)));
  }
}

const columns = new Columns();

/**
 * A profile's plug-in calls as plain functions, built once per profile: calling `f.filter` on
 * plug-in objects of different shapes is a megamorphic load in the hottest loop; an array of
 * functions is not.
 */
interface Compiled {
  readonly filters: readonly ((cycle: Cycle, job: Job, option: Option) => Failure | null)[];
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
const BOUND: readonly ('none' | 'capacity' | 'power')[] = ['none', 'capacity', 'power'];

/**
 * Evaluates one job over every site: pre-filters, site filters, then for each pool of an accepted
 * type its earliest option (and later starts for a flexible job) through the filters and the score
 * plug-ins' measures. The runner, not the plug-ins, records which plug-in rejected what: that record
 * is the explanation.
 *
 * Hot path: it runs for every queued job in every cycle and in the simulator. One reused option
 * object walks the candidates and numbers go into columns; only the best option of each site
 * becomes a lasting object and a scored verdict.
 */
export function evaluateJob(cycle: Cycle, job: Job, profile: Profile, keep = false): JobEvaluation {
  for (const pre of profile.preFilters) {
    let r: Failure | null;
    try {
      r = pre.preFilter(cycle, job);
    } catch (e) {
      r = failure(pre.name, e);
    }
    if (r) {
      const verdicts: SiteVerdict[] =
        profile.explain === 'none'
          ? []
          : cycle.net.sites.map((s) => ({
              siteId: s.site.id,
              outcome: 'filtered',
              plugin: pre.name,
              code: r.code,
              reason: r.reason,
            }));
      const none = () => {
        throw new Error('no feasible options');
      };
      return {
        rejected: { plugin: pre.name, code: r.code, reason: r.reason },
        ranked: [],
        feasibleSites: 0,
        feasible: 0,
        totals: new Float64Array(0),
        option: none,
        verdicts,
        candidateSites: r.code === 'unschedulable' ? cycle.net.sites.map((x) => x.index) : [],
        unresolvable: r.code === 'unresolvable',
      };
    }
  }

  const choices: Choice[] = [];
  for (const choice of job.options) {
    const spec = cycle.net.accelerators.get(choice.accelerator);
    if (!spec) continue;
    const count = choice.perMember * job.gang;
    const itKw = itPowerKw(spec, job.kind, count);
    choices.push({
      choice,
      count,
      durationS: durationOnS(job, choice, (t) => cycle.net.accelerators.get(t)),
      itKw,
      incrementItKw: itKw - idlePowerKw(spec, count),
    });
  }

  const scores = profile.scores;
  const cols = columns;
  cols.reset(scores.length);
  const stagings: (Staging | undefined)[] = new Array(cycle.net.sites.length);
  const filtered: SiteVerdict[] = [];
  const quiet = profile.explain === 'none';
  const candidateSites: number[] = [];
  let allUnresolvable = true;
  const cursor = new Option(cycle, job, profile.carbonSignal);
  const shift = profile.timeShift;
  const deadlineS = job.deadlineS;
  const siteFilters = profile.siteFilters;
  const compiled = compile(profile);
  const filters = compiled.filters;
  const filterNames = compiled.filterNames;
  const measures = compiled.measures;

  /** Runs the filters on the cursor; records it if it passes, or the furthest rejection if not. */
  let furthestDepth = -1;
  let furthestBy = '';
  let furthest: Failure = { code: 'unresolvable', reason: '' };
  const consider = (poolIndex: number, choiceIndex: number): void => {
    for (let depth = 0; depth < filters.length; depth++) {
      let r: Failure | null;
      try {
        r = (filters[depth] as (typeof filters)[number])(cycle, job, cursor);
      } catch (e) {
        r = failure(filterNames[depth] as string, e);
      }
      if (r) {
        if (depth > furthestDepth) {
          furthestDepth = depth;
          furthestBy = filterNames[depth] as string;
          furthest = r;
        }
        return;
      }
    }
    const i = cols.push(
      poolIndex,
      choiceIndex,
      cursor.startS,
      cursor.earliestS,
      cursor.boundBy === 'none' ? 0 : cursor.boundBy === 'capacity' ? 1 : 2,
      Math.round(cursor.costCny * 100),
    );
    for (let p = 0; p < measures.length; p++) {
      (cols.measures[p] as Float64Array)[i] = (measures[p] as (typeof measures)[number])(cycle, job, cursor);
    }
  };

  for (const site of cycle.net.sites) {
    let siteFailure: Failure | null = null;
    let by = '';
    for (const f of siteFilters) {
      try {
        siteFailure = f.filterSite(cycle, job, site);
      } catch (e) {
        siteFailure = failure(f.name, e);
      }
      if (siteFailure) {
        by = f.name;
        break;
      }
    }
    if (siteFailure) {
      if (siteFailure.code !== 'unresolvable') allUnresolvable = false;
      if (siteFailure.code === 'unschedulable') candidateSites.push(site.index);
      if (!quiet) {
        filtered.push({
          siteId: site.site.id,
          outcome: 'filtered',
          plugin: by,
          code: siteFailure.code,
          reason: siteFailure.reason,
        });
      }
      continue;
    }

    furthestDepth = -1;
    furthestBy = 'accelerator-type';
    furthest = { code: 'unresolvable', reason: 'no pool of an accepted accelerator type' };
    const before = cols.size;
    for (let ci = 0; ci < choices.length; ci++) {
      const c = choices[ci] as Choice;
      const pools = site.poolsByType.get(c.choice.accelerator);
      if (!pools) continue;
      let staging = stagings[site.index];
      if (!staging) {
        staging = stagingAt(cycle, job, site);
        stagings[site.index] = staging;
      }
      const pue = site.site.pue;
      const kw = c.incrementItKw * pue;
      for (const pool of pools) {
        let earliestS = Number.POSITIVE_INFINITY;
        let boundBy: 'none' | 'capacity' | 'power' = 'capacity';
        if (c.count <= pool.pool.count) {
          earliestS = cycle.earliestStart(pool, c.count, c.durationS, kw, cycle.nowS + staging.transferS);
          boundBy = cycle.boundBy;
        }
        cursor.set(pool, c.choice, c.count, c.durationS, kw, c.itKw * pue, staging, earliestS, boundBy, earliestS);
        consider(pool.index, ci);
        // A flexible job may also start later, at whole steps, while it meets its deadline. A later
        // start is only worth it in hours that are cheaper or greener than the earliest start's:
        // others cost no less, emit no less and end later, so they are never the better option.
        if (shift && deadlineS !== undefined && Number.isFinite(earliestS)) {
          const last = Math.min(deadlineS - c.durationS, cycle.nowS + shift.horizonS);
          const tariff0 = meanOver(site.tariff, earliestS, earliestS + c.durationS);
          const carbon0 = meanOver(site.carbon, earliestS, earliestS + c.durationS);
          for (let t = Math.ceil((earliestS + 1) / shift.stepS) * shift.stepS; t <= last; t += shift.stepS) {
            const end = t + c.durationS;
            if (meanOver(site.tariff, t, end) >= tariff0 && meanOver(site.carbon, t, end) >= carbon0) continue;
            if (!cycle.fitsAt(pool, c.count, t, c.durationS, kw)) continue;
            cursor.set(pool, c.choice, c.count, c.durationS, kw, c.itKw * pue, staging, earliestS, boundBy, t);
            consider(pool.index, ci);
          }
        }
      }
    }
    if (cols.size > before) {
      allUnresolvable = false;
      candidateSites.push(site.index);
    } else {
      if (furthest.code !== 'unresolvable') allUnresolvable = false;
      if (furthest.code === 'unschedulable') candidateSites.push(site.index);
      if (!quiet) {
        filtered.push({
          siteId: site.site.id,
          outcome: 'filtered',
          plugin: furthestBy,
          code: furthest.code,
          reason: furthest.reason,
        });
      }
    }
  }

  const evaluation = score(cycle, job, profile, choices, stagings, filtered, keep);
  return { ...evaluation, candidateSites, unresolvable: allUnresolvable && cycle.net.sites.length > 0 };
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
        anyPool = true;
        if (Number.isNaN(readyS)) readyS = cycle.nowS + stagingAt(cycle, job, site).transferS;
        const free = readyS === cycle.nowS ? cycle.freeNow(pool) : cycle.freeAt(pool, readyS);
        if (free >= count) return 'maybe';
      }
    }
  }
  return anyPool ? 'no' : 'maybe';
}

/**
 * Normalised score of a measure against the best (lowest) one: 100 × best ÷ value, so twice the
 * cost scores 50 and a 2 % longer run scores 98 (docs/adr/0005).
 */
export function ratioToBest(value: number, best: number): number {
  if (value <= best || value <= 0) return 100;
  return Math.round((100 * Math.max(best, 0)) / value);
}

const normalised = {
  scores: new Int32Array(0),
  acc: [new Float64Array(0), new Float64Array(0), new Float64Array(0)],
  totals: new Float64Array(0),
  key: new Float64Array(0),
};

function score(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  choices: readonly Choice[],
  stagings: readonly (Staging | undefined)[],
  filtered: SiteVerdict[],
  keep: boolean,
): Omit<JobEvaluation, 'candidateSites' | 'unresolvable'> {
  const cols = columns;
  const n = cols.size;
  if (normalised.scores.length < n) {
    const size = Math.max(n, normalised.scores.length * 2);
    normalised.scores = new Int32Array(size);
    normalised.acc = [new Float64Array(size), new Float64Array(size), new Float64Array(size)];
    normalised.totals = new Float64Array(size);
    normalised.key = new Float64Array(size);
  }
  const { scores, acc } = normalised;
  for (const a of acc) a.fill(0, 0, n);
  const weightOf = [0, 0, 0];
  profile.scores.forEach(({ plugin, weight }, p) => {
    const raw = cols.measures[p] as Float64Array;
    if (plugin.normalize) plugin.normalize(raw.subarray(0, n), scores.subarray(0, n));
    else {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) if ((raw[i] as number) < best) best = raw[i] as number;
      for (let i = 0; i < n; i++) scores[i] = ratioToBest(raw[i] as number, best);
    }
    const o = OBJECTIVE_INDEX[plugin.objective];
    const target = acc[o] as Float64Array;
    for (let i = 0; i < n; i++) target[i] = (target[i] as number) + weight * (scores[i] as number);
    weightOf[o] = (weightOf[o] as number) + weight;
  });

  // Integer scores per objective (0..100) and their weighted, rounded total.
  const [wc, wk, wt] = weightOf as [number, number, number];
  const ow = profile.objectiveWeights;
  const jc = wc > 0 ? job.objective.cost * ow.cost : 0;
  const jk = wk > 0 ? job.objective.carbon * ow.carbon : 0;
  const jt = wt > 0 ? job.objective.time * ow.time : 0;
  const weightSum = jc + jk + jt;
  const [ac, ak, at] = acc as [Float64Array, Float64Array, Float64Array];
  const objectiveScore = (o: 0 | 1 | 2, i: number): number => {
    const wo = o === 0 ? wc : o === 1 ? wk : wt;
    const a = o === 0 ? ac : o === 1 ? ak : at;
    return wo > 0 ? Math.round((a[i] as number) / wo) : 0;
  };
  const { totals, key } = normalised;
  for (let i = 0; i < n; i++) {
    const sc = wc > 0 ? Math.round((ac[i] as number) / wc) : 0;
    const sk = wk > 0 ? Math.round((ak[i] as number) / wk) : 0;
    const st = wt > 0 ? Math.round((at[i] as number) / wt) : 0;
    const total = weightSum > 0 ? Math.round((jc * sc + jk * sk + jt * st) / weightSum) : 0;
    totals[i] = total;
    // Total (higher first), then cost in cents (rounding noise never decides): one number.
    key[i] = (100 - total) * 1e12 + (cols.cents[i] as number);
  }

  const pools = cycle.net.pools;
  const poolOf = cols.pool;
  const startOf = cols.startS;
  const tieBreak = (i: number, j: number): number => {
    const si = startOf[i] as number;
    const sj = startOf[j] as number;
    if (si !== sj) return si - sj;
    const pa = (pools[poolOf[i] as number] ?? pools[0])?.pool.id ?? '';
    const pb = (pools[poolOf[j] as number] ?? pools[0])?.pool.id ?? '';
    if (pa !== pb) return pa < pb ? -1 : 1;
    return (cols.choice[i] as number) - (cols.choice[j] as number);
  };
  // The best option of each site, then the sites in order: no sort of every option.
  const siteBest = new Int32Array(cycle.net.sites.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const s = (pools[poolOf[i] as number] as (typeof pools)[number]).site.index;
    const current = siteBest[s] as number;
    if (current < 0) siteBest[s] = i;
    else {
      const d = (key[i] as number) - (key[current] as number);
      if (d < 0 || (d === 0 && tieBreak(i, current) < 0)) siteBest[s] = i;
    }
  }
  const picks: number[] = [];
  for (const i of siteBest) if (i >= 0) picks.push(i);

  // The columns are reused by the next job: an evaluation that must hand out any option later (for
  // the batch optimizer) keeps copies; otherwise only the ranked options are built, now.
  const keptPool = keep ? cols.pool.slice(0, n) : cols.pool;
  const keptChoice = keep ? cols.choice.slice(0, n) : cols.choice;
  const keptStart = keep ? cols.startS.slice(0, n) : cols.startS;
  const keptEarliest = keep ? cols.earliestS.slice(0, n) : cols.earliestS;
  const keptBound = keep ? cols.bound.slice(0, n) : cols.bound;
  const build = (i: number): Option => {
    const pool = pools[keptPool[i] as number] as (typeof pools)[number];
    const c = choices[keptChoice[i] as number] as Choice;
    const pue = pool.site.site.pue;
    return new Option(cycle, job, profile.carbonSignal).set(
      pool,
      c.choice,
      c.count,
      c.durationS,
      c.incrementItKw * pue,
      c.itKw * pue,
      stagings[pool.site.index] as Staging,
      keptEarliest[i] as number,
      BOUND[keptBound[i] as number] ?? 'none',
      keptStart[i] as number,
    );
  };

  // A brief explanation builds only the best few sites' options: the others are just counted.
  const order = sortByKey(picks, key, tieBreak);
  const shown = profile.explain === 'full' ? order : order.slice(0, BRIEF_SITES);
  const ranked: ScoredOption[] = shown.map((i) => ({
    option: build(i),
    scores: { cost: objectiveScore(0, i), carbon: objectiveScore(1, i), time: objectiveScore(2, i) },
    total: totals[i] as number,
  }));
  const option = (i: number): Option => {
    if (!keep) throw new Error('options of this evaluation were not kept: evaluate with keep = true');
    return build(i);
  };
  return {
    ranked,
    feasibleSites: picks.length,
    feasible: n,
    totals: keep ? totals.slice(0, n) : new Float64Array(0),
    option,
    verdicts: explainSites(ranked, filtered, profile.explain),
  };
}

/** A stable merge sort of indices by `key` (ascending), `tieBreak` deciding equal keys. */
function sortByKey(items: number[], key: Float64Array, tieBreak: (i: number, j: number) => number): number[] {
  let a = items;
  let b = new Array<number>(items.length);
  for (let width = 1; width < a.length; width *= 2) {
    for (let lo = 0; lo < a.length; lo += 2 * width) {
      const mid = Math.min(lo + width, a.length);
      const hi = Math.min(lo + 2 * width, a.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const x = a[i] as number;
        const y = a[j] as number;
        const d = (key[x] as number) - (key[y] as number);
        if (d < 0 || (d === 0 && tieBreak(x, y) <= 0)) {
          b[k++] = x;
          i++;
        } else {
          b[k++] = y;
          j++;
        }
      }
      while (i < mid) b[k++] = a[i++] as number;
      while (j < hi) b[k++] = a[j++] as number;
    }
    [a, b] = [b, a];
  }
  return a;
}

/** How many sites a brief explanation shows. */
const BRIEF_SITES = 5;

function explainSites(
  ranked: readonly ScoredOption[],
  filtered: SiteVerdict[],
  mode: 'full' | 'brief' | 'none',
): SiteVerdict[] {
  if (mode === 'none') return [];
  const verdicts: SiteVerdict[] = ranked.map((s, i) => ({
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
  // A brief explanation shows the best sites; when none is left, why each was filtered is the explanation.
  if (mode === 'brief' && verdicts.length > 0) return verdicts;
  for (const f of filtered) verdicts.push(f);
  return verdicts;
}

/** Sites left out of a brief explanation: how many were scored and how many filtered. */
export function omittedCounts(evaluation: JobEvaluation, totalSites: number): Record<string, number> | undefined {
  const shown = evaluation.verdicts.length;
  if (shown >= totalSites) return undefined;
  return { scored: Math.max(0, evaluation.feasibleSites - shown), filtered: totalSites - evaluation.feasibleSites };
}

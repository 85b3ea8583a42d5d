import type { Job } from '../domain/job.ts';
import type { Choice } from './choices.ts';
import { BOUNDS, type Cycle } from './cycle.ts';
import { BRIEF_SITES } from './explain.ts';
import { type JobEvaluation, Option, type ScoredOption, type Staging } from './option.ts';
import type { Profile } from './profile.ts';

const OBJECTIVE_INDEX = { cost: 0, carbon: 1, time: 2 } as const;

/** The ranked part of an evaluation. */
export type Ranking = Pick<JobEvaluation, 'ranked' | 'feasibleSites' | 'feasible' | 'totals' | 'option'>;

/**
 * Normalised score of a measure against the best (lowest) one: 100 × best ÷ value, so twice the
 * cost scores 50 and a 2 % longer run scores 98 (docs/adr/0005).
 */
export function ratioToBest(value: number, best: number): number {
  if (value <= best || value <= 0) return 100;
  return Math.round((100 * Math.max(best, 0)) / value);
}

/**
 * Scores the feasible options in the cycle's columns and ranks the sites by their best option:
 * each plug-in's measures become integer scores 0..100, weighted per objective, then by the job's
 * objective weights into a total; ties go to the cheaper option, then the earlier start, the pool
 * id and the job's order of choices (a total order: no seed decides).
 */
export function rankOptions(
  cycle: Cycle,
  job: Job,
  profile: Profile,
  choices: readonly Choice[],
  stagings: readonly (Staging | undefined)[],
  keep: boolean,
): Ranking {
  const cols = cycle.scratch.columns;
  const buffers = cycle.scratch.ranking;
  const n = cols.size;
  buffers.reset(n);
  const { scores, objectives, totals, key } = buffers;
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
    const target = objectives[o];
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
  const [ac, ak, at] = objectives;
  const objectiveScore = (o: 0 | 1 | 2, i: number): number => {
    const wo = o === 0 ? wc : o === 1 ? wk : wt;
    return wo > 0 ? Math.round((objectives[o][i] as number) / wo) : 0;
  };
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
      BOUNDS[keptBound[i] as number] ?? 'none',
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

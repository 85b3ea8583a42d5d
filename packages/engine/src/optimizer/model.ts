import type { Job } from '../domain/job.ts';
import type { Cycle } from '../framework/cycle.ts';
import type { JobEvaluation, Option } from '../framework/option.ts';
import type { PreparedPool, PreparedSite } from '../framework/prepared-network.ts';
import type { OptimizerSettings, Profile } from '../framework/profile.ts';

/** Cost of leaving a job unplanned, relative to its best option (which costs 1). */
export const UNPLANNED = 4;

/** The model's time slots: `slots` of `slotS` seconds from `nowS`. */
export interface Horizon {
  readonly nowS: number;
  readonly slotS: number;
  readonly slots: number;
  readonly endS: number;
}

export function horizonOf(nowS: number, settings: OptimizerSettings): Horizon {
  const slotS = settings.slotS;
  const slots = Math.max(1, Math.ceil(settings.horizonS / slotS));
  return { nowS, slotS, slots, endS: nowS + slots * slotS };
}

/**
 * One option of one job: a column of the per-job model. It keeps the figures the model needs, not
 * the option: `evaluation.option(at)` builds that again for the columns a plan takes (thousands of
 * lasting options cost more in garbage collection than building a few twice).
 */
export interface Column {
  /** The job's index in the batch (queue order). */
  readonly job: number;
  /** The option's index in the job's evaluation. */
  readonly at: number;
  readonly pool: PreparedPool;
  readonly startS: number;
  readonly durationS: number;
  readonly count: number;
  /** Facility power the run adds (what the site's cap must allow). */
  readonly kw: number;
  readonly cost: number;
  readonly firstSlot: number;
  readonly lastSlot: number;
}

/** Indices of the evaluation's best `k` feasible options by the greedy scorer's total, best first. */
export function topOptions(ev: JobEvaluation, k: number): number[] {
  const keep = Math.min(k, ev.feasible);
  const top: number[] = [];
  if (keep === 0) return top;
  for (let i = 0; i < ev.feasible; i++) {
    const t = ev.totals[i] as number;
    if (top.length === keep && t <= (ev.totals[top[keep - 1] as number] as number)) continue;
    let at = top.length;
    while (at > 0 && t > (ev.totals[top[at - 1] as number] as number)) at--;
    top.splice(at, 0, i);
    if (top.length > keep) top.pop();
  }
  return top;
}

/** The job's best `k` options (every site and start it may take, flexible starts included) as columns. */
export function jobColumns(
  j: number,
  job: Job,
  ev: JobEvaluation,
  profile: Profile,
  horizon: Horizon,
  k: number,
): Column[] {
  const top = topOptions(ev, k).map((at) => ({ at, option: ev.option(at) }));
  return costed(j, job, top, profile, horizon);
}

/**
 * Options of job `j` that start within the horizon, as columns. An option's cost is the job's
 * weighted objective relative to its best option here on each objective:
 *
 *   cost = (w_cost · CNY/CNY_best + w_carbon · kgCO2/kgCO2_best + w_time · completion/completion_best) ÷ Σw
 */
export function costed(
  j: number,
  job: Job,
  candidates: readonly { readonly at: number; readonly option: Option }[],
  profile: Profile,
  horizon: Horizon,
): Column[] {
  const nowS = horizon.nowS;
  let bestCost = Number.POSITIVE_INFINITY;
  let bestCarbon = Number.POSITIVE_INFINITY;
  let bestTime = Number.POSITIVE_INFINITY;
  const figures: { at: number; o: Option; cny: number; kg: number }[] = [];
  for (const { at, option: o } of candidates) {
    if (o.startS >= horizon.endS) continue;
    const cny = o.costCny;
    const kg = o.carbonKg;
    figures.push({ at, o, cny, kg });
    bestCost = Math.min(bestCost, cny);
    bestCarbon = Math.min(bestCarbon, kg);
    bestTime = Math.min(bestTime, o.startS + o.durationS - nowS);
  }
  bestCost = Math.max(1e-9, bestCost);
  bestCarbon = Math.max(1e-9, bestCarbon);
  bestTime = Math.max(1, bestTime);
  const ow = profile.objectiveWeights;
  const wc = job.objective.cost * ow.cost;
  const wk = job.objective.carbon * ow.carbon;
  const wt = job.objective.time * ow.time;
  const weightSum = wc + wk + wt;
  return figures.map(({ at, o, cny, kg }) => ({
    job: j,
    at,
    pool: o.pool,
    startS: o.startS,
    durationS: o.durationS,
    count: o.count,
    kw: o.incrementKw,
    cost:
      weightSum > 0
        ? (wc * (cny / bestCost) +
            wk * (Math.max(kg, 1e-9) / bestCarbon) +
            wt * ((o.startS + o.durationS - nowS) / bestTime)) /
          weightSum
        : 1,
    firstSlot: Math.max(0, Math.floor((o.startS - nowS) / horizon.slotS)),
    lastSlot: Math.min(horizon.slots - 1, Math.ceil((o.startS + o.durationS - nowS) / horizon.slotS) - 1),
  }));
}

/**
 * The per-job model: every job's columns and the rows that can bind, in compressed form. The
 * optimizer plans for it, and its gap is measured against a lower bound of it:
 *
 *   minimise Σ cost(chosen column) + 4 × (jobs left unplanned)
 *   subject to: each job takes at most one of its columns; for every pool and slot, the
 *   accelerators of the chosen columns touching the slot ≤ the fewest free in it; for every site
 *   and slot, their power ≤ the least power free under the cap.
 *
 * A row counts a column in every slot it touches, so its bound is what is free throughout the part
 * of its slot its columns can occupy: from the earliest start to the latest end among them. Every
 * column lies inside that window, so columns that fit the bound together fit at every instant; and
 * an option starting when running jobs end, mid-slot, is not refused for the part of the slot
 * before it. Rows that cannot bind are left out (`bindingRows`), so a model of 10,000 jobs over
 * 500 pools and 24 slots has a few hundred rows, not 12,000.
 */
export interface PerJobModel {
  readonly jobs: number;
  /** Grouped by job, in job order: job j's columns are `first[j]` .. `first[j + 1] − 1`. */
  readonly columns: readonly Column[];
  readonly first: Int32Array;
  /** Each column's cost; a job's columns are cheapest first. */
  readonly cost: Float64Array;
  /** Bound of each row that can bind. */
  readonly rowUpper: Float64Array;
  /** What each row is: `pool` or `site`, its index, and its slot. */
  readonly rowWhat: readonly { readonly kind: 'pool' | 'site'; readonly index: number; readonly slot: number }[];
  /** Rows each column touches, compressed: column c's are `entryStart[c]` .. `entryStart[c + 1] − 1`. */
  readonly entryStart: Int32Array;
  readonly entryRow: Int32Array;
  readonly entryCoef: Float64Array;
  /** Each job's cheapest column, −1 if it has none. */
  readonly best: Int32Array;
  /** Whether the job's cheapest column touches a row that can bind; the others simply take it. */
  readonly contended: Uint8Array;
}

/** Builds the per-job model from each job's columns (in job order). */
export function perJobModel(cycle: Cycle, jobs: number, given: readonly Column[], horizon: Horizon): PerJobModel {
  // Each job's columns cheapest first: a job's best is its first, and a pass over its columns can stop
  // at the first that costs more than what it has found. (Given in job order: only each job's own are sorted.)
  const first = new Int32Array(jobs + 1);
  for (const c of given) first[c.job + 1] = (first[c.job + 1] as number) + 1;
  for (let j = 0; j < jobs; j++) first[j + 1] = (first[j + 1] as number) + (first[j] as number);
  const columns: Column[] = new Array(given.length);
  const next = first.slice(0, jobs);
  for (const c of given) {
    columns[next[c.job] as number] = c;
    next[c.job] = (next[c.job] as number) + 1;
  }
  for (let j = 0; j < jobs; j++) {
    const from = first[j] as number;
    const to = first[j + 1] as number;
    if (to - from > 1) {
      const mine = columns.slice(from, to).sort((a, b) => a.cost - b.cost);
      for (let i = 0; i < mine.length; i++) columns[from + i] = mine[i] as Column;
    }
  }

  const rowUpper: number[] = [];
  const rowWhat: { kind: 'pool' | 'site'; index: number; slot: number }[] = [];
  const pools = bindingRows(
    columns,
    horizon,
    cycle.net.pools.length,
    (c) => c.pool.index,
    (c) => c.count,
    (i, fromS, toS) => cycle.minFree(cycle.net.pools[i] as PreparedPool, fromS, toS),
    (index, slot, free) => {
      rowWhat.push({ kind: 'pool', index, slot });
      return rowUpper.push(free) - 1;
    },
  );
  const sites = bindingRows(
    columns,
    horizon,
    cycle.net.sites.length,
    (c) => c.pool.site.index,
    (c) => c.kw,
    (i, fromS, toS) => cycle.power.siteMinFree(cycle.net.sites[i] as PreparedSite, fromS, toS),
    (index, slot, free) => {
      rowWhat.push({ kind: 'site', index, slot });
      return rowUpper.push(free) - 1;
    },
  );

  const slots = horizon.slots;
  const n = columns.length;
  const entryStart = new Int32Array(n + 1);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const c = columns[i] as Column;
    const pk = c.pool.index * slots;
    const sk = c.pool.site.index * slots;
    for (let s = c.firstSlot; s <= c.lastSlot; s++) {
      if ((pools[pk + s] as number) >= 0) size++;
      if ((sites[sk + s] as number) >= 0) size++;
    }
  }
  const entryRow = new Int32Array(size);
  const entryCoef = new Float64Array(size);
  let at = 0;
  for (let i = 0; i < n; i++) {
    entryStart[i] = at;
    const c = columns[i] as Column;
    const pk = c.pool.index * slots;
    const sk = c.pool.site.index * slots;
    const count = c.count;
    const kw = c.kw;
    for (let s = c.firstSlot; s <= c.lastSlot; s++) {
      const cr = pools[pk + s] as number;
      if (cr >= 0) {
        entryRow[at] = cr;
        entryCoef[at++] = count;
      }
      const pr = sites[sk + s] as number;
      if (pr >= 0) {
        entryRow[at] = pr;
        entryCoef[at++] = kw;
      }
    }
  }
  entryStart[n] = at;

  const best = new Int32Array(jobs).fill(-1);
  const contended = new Uint8Array(jobs);
  for (let j = 0; j < jobs; j++) {
    const b = (first[j] as number) < (first[j + 1] as number) ? (first[j] as number) : -1;
    best[j] = b;
    if (b >= 0 && (entryStart[b + 1] as number) > (entryStart[b] as number)) contended[j] = 1;
  }
  return {
    jobs,
    columns,
    first,
    cost: Float64Array.from(columns, (c) => c.cost),
    rowUpper: Float64Array.from(rowUpper),
    rowWhat,
    entryStart,
    entryRow,
    entryCoef,
    best,
    contended,
  };
}

/**
 * The rows of one kind (pools or sites, `n` of them) that can bind, by key `index × slots + slot`:
 * the row's index, or −1. A row is left out when its worst case (the sum over jobs of each job's
 * largest use of it) fits what is free; or when no column starts in its slot and what is free is no
 * less than in the slot before: every column touching it then touches that slot too, with the same
 * use, so that row's bound implies this one's.
 */
function bindingRows(
  columns: readonly Column[],
  horizon: Horizon,
  n: number,
  indexOf: (c: Column) => number,
  useOf: (c: Column) => number,
  freeOf: (index: number, fromS: number, toS: number) => number,
  add: (index: number, slot: number, free: number) => number,
): Int32Array {
  const slots = horizon.slots;
  const keys = n * slots;
  const worst = new Float64Array(keys);
  const mine = new Float64Array(keys);
  const touched: number[] = [];
  const fromS = new Float64Array(keys).fill(Number.POSITIVE_INFINITY);
  const toS = new Float64Array(keys).fill(Number.NEGATIVE_INFINITY);
  const starts = new Uint8Array(keys);
  let job = -1;
  const flush = () => {
    for (const k of touched) {
      worst[k] = (worst[k] as number) + (mine[k] as number);
      mine[k] = 0;
    }
    touched.length = 0;
  };
  for (const c of columns) {
    if (c.job !== job) {
      flush();
      job = c.job;
    }
    const base = indexOf(c) * slots;
    const use = useOf(c);
    const startS = c.startS;
    const endS = startS + c.durationS;
    starts[base + c.firstSlot] = 1;
    for (let s = c.firstSlot; s <= c.lastSlot; s++) {
      const k = base + s;
      if ((mine[k] as number) === 0) touched.push(k);
      if (use > (mine[k] as number)) mine[k] = use;
      // The part of the slot the column can occupy.
      const slotFrom = horizon.nowS + s * horizon.slotS;
      const a = Math.max(slotFrom, startS);
      const b = Math.min(slotFrom + horizon.slotS, endS);
      if (a < (fromS[k] as number)) fromS[k] = a;
      if (b > (toS[k] as number)) toS[k] = b;
    }
  }
  flush();
  const rows = new Int32Array(keys).fill(-1);
  const free = new Float64Array(keys).fill(Number.NaN);
  const freeAt = (k: number) => {
    let f = free[k] as number;
    if (Number.isNaN(f)) {
      f =
        (toS[k] as number) > (fromS[k] as number)
          ? freeOf(Math.floor(k / slots), fromS[k] as number, toS[k] as number)
          : Number.POSITIVE_INFINITY;
      free[k] = f;
    }
    return f;
  };
  for (let k = 0; k < keys; k++) {
    const need = worst[k] as number;
    if (need <= 0) continue;
    const f = freeAt(k);
    if (need <= f) continue;
    const slot = k % slots;
    if (slot > 0 && starts[k] === 0 && f >= freeAt(k - 1)) continue;
    rows[k] = add(Math.floor(k / slots), slot, Math.max(0, f));
  }
  return rows;
}

/** What the chosen columns use of each row, so a plan never takes a column that does not fit. */
export class RowUse {
  private readonly used: Float64Array;
  private readonly model: PerJobModel;

  constructor(model: PerJobModel) {
    this.model = model;
    this.used = new Float64Array(model.rowUpper.length);
  }

  fits(c: number): boolean {
    const m = this.model;
    for (let e = m.entryStart[c] as number; e < (m.entryStart[c + 1] as number); e++) {
      const r = m.entryRow[e] as number;
      if ((this.used[r] as number) + (m.entryCoef[e] as number) > (m.rowUpper[r] as number) + 1e-9) return false;
    }
    return true;
  }

  take(c: number): void {
    this.add(c, 1);
  }

  release(c: number): void {
    this.add(c, -1);
  }

  /** What the chosen columns use of row r. */
  level(r: number): number {
    return this.used[r] as number;
  }

  private add(c: number, sign: number): void {
    const m = this.model;
    for (let e = m.entryStart[c] as number; e < (m.entryStart[c + 1] as number); e++) {
      const r = m.entryRow[e] as number;
      this.used[r] = (this.used[r] as number) + sign * (m.entryCoef[e] as number);
    }
  }
}

/** Σ cost of the chosen columns + the unplanned cost of every job left without one (−1). */
export function planCost(model: PerJobModel, chosen: Int32Array): number {
  let cost = 0;
  for (let j = 0; j < model.jobs; j++) {
    const c = chosen[j] as number;
    cost += c >= 0 ? (model.columns[c] as Column).cost : UNPLANNED;
  }
  return cost;
}

/**
 * Completes a partial plan: every job still without a column takes its cheapest one that fits,
 * in queue order, if it costs less than leaving the job unplanned.
 */
export function fillGreedy(model: PerJobModel, chosen: Int32Array, use: RowUse): void {
  const columns = model.columns;
  for (let j = 0; j < model.jobs; j++) {
    if ((chosen[j] as number) >= 0) continue;
    let pick = -1;
    for (let c = model.first[j] as number; c < (model.first[j + 1] as number); c++) {
      const cost = (columns[c] as Column).cost;
      if (cost >= UNPLANNED || (pick >= 0 && cost >= (columns[pick] as Column).cost)) continue;
      if (use.fits(c)) pick = c;
    }
    if (pick >= 0) {
      use.take(pick);
      chosen[j] = pick;
    }
  }
}

/**
 * Columns for jobs planned by classes: a class's (pool, start slot)s are those any of its jobs ranks
 * among its best `k` options, and every job of the class gets a column at each of them that is
 * among its own best 2k (its option there that the scorer ranks best), so that the jobs of a class
 * can mostly take each other's places.
 */
export function classColumns(
  jobs: readonly Job[],
  evaluations: readonly JobEvaluation[],
  keyOf: (job: number) => string,
  profile: Profile,
  horizon: Horizon,
  k: number,
): Column[] {
  const slotOf = (o: Option) =>
    o.pool.index * horizon.slots + Math.max(0, Math.floor((o.startS - horizon.nowS) / horizon.slotS));
  const classes = new Map<string, number[]>();
  for (let j = 0; j < jobs.length; j++) {
    const key = keyOf(j);
    const members = classes.get(key);
    if (members) members.push(j);
    else classes.set(key, [j]);
  }
  const columns: Column[] = [];
  // Class by class, so that the options built live only while their class is done.
  for (const members of classes.values()) {
    const wanted = new Set<number>();
    const ranked = members.map((j) => {
      const ev = evaluations[j] as JobEvaluation;
      // Best first: the first k are the job's own best.
      const top = topOptions(ev, 2 * k).map((at, i) => ({ at, option: i < k ? ev.option(at) : undefined }));
      for (let i = 0; i < Math.min(k, top.length); i++) wanted.add(slotOf((top[i] as { option: Option }).option));
      return top;
    });
    members.forEach((j, m) => {
      const ev = evaluations[j] as JobEvaluation;
      const seen = new Set<number>();
      const kept: { at: number; option: Option }[] = [];
      // Its own best, then deeper in its ranking while the class has (pool, start slot)s it lacks.
      const top = ranked[m] as { at: number; option: Option | undefined }[];
      for (let i = 0; i < top.length && (i < k || kept.length < wanted.size); i++) {
        const c = top[i] as { at: number; option: Option | undefined };
        const option = c.option ?? ev.option(c.at);
        const at = slotOf(option);
        if (seen.has(at) || !wanted.has(at)) continue;
        seen.add(at);
        kept.push({ at: c.at, option });
      }
      for (const c of costed(j, jobs[j] as Job, kept, profile, horizon)) columns.push(c);
    });
  }
  return columns;
}

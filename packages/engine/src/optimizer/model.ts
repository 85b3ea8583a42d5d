import type { Job } from '../domain/job.ts';
import type { Cycle } from '../framework/cycle.ts';
import type { JobEvaluation, Option } from '../framework/option.ts';
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

/** One option of one job: a column of the per-job model. */
export interface Column {
  /** The job's index in the batch (queue order). */
  readonly job: number;
  readonly option: Option;
  readonly cost: number;
  readonly firstSlot: number;
  readonly lastSlot: number;
}

/**
 * The job's best `k` options as the greedy scorer ranks them (every site and start it may take,
 * flexible starts included) that start within the horizon, as columns. An option's cost is the
 * job's weighted objective relative to its best kept option on each objective:
 *
 *   cost = (w_cost · CNY/CNY_best + w_carbon · kgCO2/kgCO2_best + w_time · completion/completion_best) ÷ Σw
 */
export function jobColumns(
  j: number,
  job: Job,
  ev: JobEvaluation,
  profile: Profile,
  horizon: Horizon,
  k: number,
): Column[] {
  const keep = Math.min(k, ev.feasible);
  if (keep === 0) return [];
  // The best options by total, without sorting them all.
  const top: number[] = [];
  for (let i = 0; i < ev.feasible; i++) {
    const t = ev.totals[i] as number;
    if (top.length === keep && t <= (ev.totals[top[keep - 1] as number] as number)) continue;
    let at = top.length;
    while (at > 0 && t > (ev.totals[top[at - 1] as number] as number)) at--;
    top.splice(at, 0, i);
    if (top.length > keep) top.pop();
  }
  const options = top.map((i) => ev.option(i)).filter((o) => o.startS < horizon.endS);
  if (options.length === 0) return [];
  const nowS = horizon.nowS;
  const bestCost = Math.max(1e-9, Math.min(...options.map((o) => o.costCny)));
  const bestCarbon = Math.max(1e-9, Math.min(...options.map((o) => o.carbonKg)));
  const completion = (o: Option) => o.startS + o.durationS - nowS;
  const bestTime = Math.max(1, Math.min(...options.map(completion)));
  const ow = profile.objectiveWeights;
  const wc = job.objective.cost * ow.cost;
  const wk = job.objective.carbon * ow.carbon;
  const wt = job.objective.time * ow.time;
  const weightSum = wc + wk + wt;
  return options.map((o) => ({
    job: j,
    option: o,
    cost:
      weightSum > 0
        ? (wc * (o.costCny / bestCost) +
            wk * (Math.max(o.carbonKg, 1e-9) / bestCarbon) +
            wt * (completion(o) / bestTime)) /
          weightSum
        : 1,
    firstSlot: Math.max(0, Math.floor((o.startS - nowS) / horizon.slotS)),
    lastSlot: Math.min(horizon.slots - 1, Math.ceil((o.startS + o.durationS - nowS) / horizon.slotS) - 1),
  }));
}

/**
 * The per-job model: every job's columns and the rows that can bind, in compressed form. Both
 * formulations plan for it and are measured against it:
 *
 *   minimise Σ cost(chosen option) + 4 × (jobs left unplanned)
 *   subject to: each job takes at most one of its columns; for every pool and slot, the
 *   accelerators of the chosen columns touching the slot ≤ the fewest free in it; for every site
 *   and slot, their power ≤ the least power free under the cap.
 *
 * A row counts a column in every slot it touches, so its bound is what is free throughout the part
 * of its slot its columns can occupy: from the earliest start to the latest end among them. Every
 * column lies inside that window, so columns that fit the bound together fit at every instant; and
 * an option starting when running jobs end, mid-slot, is not refused for the part of the slot
 * before it. Rows whose worst case (each job's largest demand on them) fits are left out: they
 * never bind.
 */
export interface PerJobModel {
  readonly jobs: number;
  /** Grouped by job, in job order: job j's columns are `first[j]` .. `first[j + 1] − 1`. */
  readonly columns: readonly Column[];
  readonly first: Int32Array;
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
export function perJobModel(cycle: Cycle, jobs: number, columns: readonly Column[], horizon: Horizon): PerJobModel {
  const slots = horizon.slots;
  const first = new Int32Array(jobs + 1);
  for (const c of columns) first[c.job + 1] = (first[c.job + 1] as number) + 1;
  for (let j = 0; j < jobs; j++) first[j + 1] = (first[j + 1] as number) + (first[j] as number);

  // A row's worst case: the sum over jobs of each job's largest demand on it.
  const poolKey = (c: Column, s: number) => c.option.pool.index * slots + s;
  const siteKey = (c: Column, s: number) => c.option.site.index * slots + s;
  const capacityDemand = worstCase(columns, poolKey, (c) => c.option.count);
  const powerDemand = worstCase(columns, siteKey, (c) => c.option.incrementKw);
  const slotFrom = (s: number) => horizon.nowS + s * horizon.slotS;
  const poolWindow = windows(columns, poolKey, slots, slotFrom);
  const siteWindow = windows(columns, siteKey, slots, slotFrom);

  const rowUpper: number[] = [];
  const rowWhat: { kind: 'pool' | 'site'; index: number; slot: number }[] = [];
  const capacityRow = new Map<number, number>();
  for (const [key, demand] of capacityDemand) {
    const pool = cycle.net.pools[Math.floor(key / slots)];
    const w = poolWindow.get(key);
    if (!pool || !w) continue;
    const free = cycle.minFree(pool, w.fromS, w.toS);
    if (demand <= free) continue;
    capacityRow.set(key, rowUpper.length);
    rowUpper.push(Math.max(0, free));
    rowWhat.push({ kind: 'pool', index: pool.index, slot: key % slots });
  }
  const powerRow = new Map<number, number>();
  for (const [key, demand] of powerDemand) {
    const site = cycle.net.sites[Math.floor(key / slots)];
    const w = siteWindow.get(key);
    if (!site || !w) continue;
    const free = cycle.minPowerFree(site, w.fromS, w.toS);
    if (demand <= free) continue;
    powerRow.set(key, rowUpper.length);
    rowUpper.push(Math.max(0, free));
    rowWhat.push({ kind: 'site', index: site.index, slot: key % slots });
  }

  const entryStart = new Int32Array(columns.length + 1);
  const entryRow: number[] = [];
  const entryCoef: number[] = [];
  columns.forEach((c, i) => {
    entryStart[i] = entryRow.length;
    for (let s = c.firstSlot; s <= c.lastSlot; s++) {
      const cr = capacityRow.get(poolKey(c, s));
      if (cr !== undefined) {
        entryRow.push(cr);
        entryCoef.push(c.option.count);
      }
      const pr = powerRow.get(siteKey(c, s));
      if (pr !== undefined) {
        entryRow.push(pr);
        entryCoef.push(c.option.incrementKw);
      }
    }
  });
  entryStart[columns.length] = entryRow.length;

  const best = new Int32Array(jobs).fill(-1);
  const contended = new Uint8Array(jobs);
  for (let j = 0; j < jobs; j++) {
    let b = -1;
    for (let c = first[j] as number; c < (first[j + 1] as number); c++) {
      if (b < 0 || (columns[c] as Column).cost < (columns[b] as Column).cost) b = c;
    }
    best[j] = b;
    if (b >= 0 && (entryStart[b + 1] as number) > (entryStart[b] as number)) contended[j] = 1;
  }
  return {
    jobs,
    columns,
    first,
    rowUpper: Float64Array.from(rowUpper),
    rowWhat,
    entryStart,
    entryRow: Int32Array.from(entryRow),
    entryCoef: Float64Array.from(entryCoef),
    best,
    contended,
  };
}

/** Per row key, the sum over jobs of each job's largest demand on it (columns grouped by job). */
function worstCase(
  columns: readonly Column[],
  key: (c: Column, s: number) => number,
  coef: (c: Column) => number,
): Map<number, number> {
  const into = new Map<number, number>();
  const max = new Map<number, number>();
  let job = -1;
  const flush = () => {
    for (const [k, v] of max) into.set(k, (into.get(k) ?? 0) + v);
    max.clear();
  };
  for (const c of columns) {
    if (c.job !== job) {
      flush();
      job = c.job;
    }
    for (let s = c.firstSlot; s <= c.lastSlot; s++) {
      const k = key(c, s);
      max.set(k, Math.max(max.get(k) ?? 0, coef(c)));
    }
  }
  flush();
  return into;
}

/** Per row key: the part of its slot that the columns touching it can occupy. */
function windows(
  columns: readonly Column[],
  key: (c: Column, s: number) => number,
  slots: number,
  slotFrom: (s: number) => number,
): Map<number, { fromS: number; toS: number }> {
  const out = new Map<number, { fromS: number; toS: number }>();
  for (const c of columns) {
    const endS = c.option.startS + c.option.durationS;
    for (let s = c.firstSlot; s <= c.lastSlot && s < slots; s++) {
      const k = key(c, s);
      const fromS = Math.max(slotFrom(s), c.option.startS);
      const toS = Math.min(slotFrom(s + 1), endS);
      const w = out.get(k);
      if (!w) out.set(k, { fromS, toS });
      else out.set(k, { fromS: Math.min(w.fromS, fromS), toS: Math.max(w.toS, toS) });
    }
  }
  return out;
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
    const m = this.model;
    for (let e = m.entryStart[c] as number; e < (m.entryStart[c + 1] as number); e++) {
      const r = m.entryRow[e] as number;
      this.used[r] = (this.used[r] as number) + (m.entryCoef[e] as number);
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

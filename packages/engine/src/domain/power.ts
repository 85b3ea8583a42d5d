/**
 * Power budgets and grid events: what the grid lets the network draw, level by level (grid region
 * → site → hall/pool), hour by hour. docs/design/power.md.
 */

/** A span of time with a power figure: a contracted window, or a step of a ceiling. */
export interface PowerWindow {
  readonly fromS: number;
  readonly toS: number;
  readonly kw: number;
}

/**
 * What one level may draw over time: a daily profile (one value: flat; 24: by local hour), scaled
 * by season (percent per month), overridden by contracted windows; less the base load drawn there
 * besides the accelerators (cooling and other IT not in the sites' PUE, offices).
 */
export interface PowerBudget {
  /** kW by local hour 0..23, or one value for every hour. */
  readonly kwByHour: readonly number[];
  /** Percent of the daily profile in each month (January first): 12 values; absent: 100 all year. */
  readonly monthPct?: readonly number[];
  /** Contracted windows, sorted and not overlapping: their kW replaces the profile's over them. */
  readonly schedule?: readonly PowerWindow[];
  /** Base load (kW) drawn at this level besides the accelerators beneath it. */
  readonly baseLoadKw?: number;
}

/** A grid region (a province's grid): the sites in that province share its budget. */
export interface PowerRegion {
  /** Slug, like `sichuan`. */
  readonly id: string;
  readonly name: string;
  /** Sites whose `province` is this belong to the region. */
  readonly province: string;
  /** Offset of local time from UTC, for the budget's hours. */
  readonly utcOffsetH: number;
  readonly budget: PowerBudget;
}

/** The levels of the budget tree. */
export type PowerLevelKind = 'region' | 'site' | 'pool';

export const POWER_LEVEL_KINDS: readonly PowerLevelKind[] = ['region', 'site', 'pool'];

/**
 * A demand-response request from the grid: over [startS, endS) the level (a region or a site)
 * draws at most its ceiling. `reductionKw` asks for that much less than the baseline (the load
 * that would have run); `ceilingKw` gives the ceiling itself. When the event is issued its
 * ceiling is resolved to steps (`ceiling`), which every cycle keeps to.
 */
export interface GridEvent {
  readonly id: string;
  readonly level: Exclude<PowerLevelKind, 'pool'>;
  readonly target: string;
  readonly startS: number;
  readonly endS: number;
  /** By when the reduction must be in place (the grid's notice: "within 15 minutes"). */
  readonly complyByS: number;
  readonly reductionKw?: number;
  readonly ceilingKw?: number;
  /** The ceiling over the window, resolved at issue: steps covering [startS, endS). */
  readonly ceiling: readonly PowerWindow[];
  /** Idle accelerators powered down for the window (no placement there meanwhile), by pool. */
  readonly parked?: readonly ParkedAccelerators[];
}

/** Accelerators of a pool powered down while a grid event lasts: they draw nothing and run nothing. */
export interface ParkedAccelerators {
  readonly poolId: string;
  readonly count: number;
}

/** A contracted window added to a level's budget after the network file was read (audited). */
export interface PowerScheduleEntry extends PowerWindow {
  readonly level: PowerLevelKind;
  readonly target: string;
}

/** The budget's kW at `atS` before any window: the hour's value × the month's percent. */
export function profileKwAt(budget: PowerBudget, utcOffsetH: number, atS: number): number {
  const localH = atS / 3600 + utcOffsetH;
  const byHour = budget.kwByHour;
  const hourKw =
    byHour.length === 24 ? (byHour[Math.floor(localH - Math.floor(localH / 24) * 24)] ?? 0) : (byHour[0] ?? 0);
  const months = budget.monthPct;
  if (!months) return hourKw;
  return (hourKw * (months[monthOfDays(Math.floor(localH / 24)) - 1] ?? 100)) / 100;
}

/** The budget's kW at `atS`: a contracted window's (of the budget or added since), else the profile's. */
export function budgetKwAt(
  budget: PowerBudget,
  utcOffsetH: number,
  atS: number,
  added: readonly PowerWindow[] = NONE,
): number {
  for (const w of added) if (w.fromS <= atS && atS < w.toS) return w.kw;
  for (const w of budget.schedule ?? NONE) if (w.fromS <= atS && atS < w.toS) return w.kw;
  return profileKwAt(budget, utcOffsetH, atS);
}

/** The least the profile ever gives (every hour, every month): what a budget is taken to be beyond its horizon. */
export function profileMinKw(budget: PowerBudget): number {
  const hourMin = Math.min(...budget.kwByHour);
  const monthMin = budget.monthPct ? Math.min(...budget.monthPct) : 100;
  return (hourMin * monthMin) / 100;
}

/** The most the budget ever gives (any hour, month or contracted window). */
export function budgetMaxKw(budget: PowerBudget): number {
  const monthMax = budget.monthPct ? Math.max(...budget.monthPct) : 100;
  let kw = (Math.max(...budget.kwByHour) * monthMax) / 100;
  for (const w of budget.schedule ?? NONE) kw = Math.max(kw, w.kw);
  return kw;
}

/** Whether the budget is the same at every hour (no daily or seasonal shape, no windows). */
export function isFlat(budget: PowerBudget): boolean {
  const h = budget.kwByHour;
  return (
    h.every((v) => v === h[0]) &&
    (budget.monthPct ?? []).every((p) => p === 100) &&
    (budget.schedule ?? NONE).length === 0
  );
}

/** Two windows of one list that overlap (the first pair found), for validation. */
export function overlappingWindows(windows: readonly PowerWindow[]): readonly [number, number] | undefined {
  const order = windows.map((w, i) => ({ w, i })).sort((a, b) => a.w.fromS - b.w.fromS || a.i - b.i);
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1];
    const cur = order[k];
    if (prev && cur && cur.w.fromS < prev.w.toS) return [prev.i, cur.i];
  }
  return undefined;
}

/** Month (1..12) of a day counted from 1970-01-01 (proleptic Gregorian calendar). */
export function monthOfDays(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return mp < 10 ? mp + 3 : mp - 9;
}

const NONE: readonly PowerWindow[] = [];

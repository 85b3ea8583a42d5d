import {
  budgetKwAt,
  budgetMaxKw,
  type GridEvent,
  isFlat,
  type PowerBudget,
  type PowerLevelKind,
  type PowerScheduleEntry,
  type PowerWindow,
  profileMinKw,
} from '../domain/power.ts';
import type { PowerState } from '../domain/snapshot.ts';

/** How far ahead a level's budget is followed hour by hour; beyond it, its least is assumed. */
export const BUDGET_HORIZON_S = 8 * 86_400;

/**
 * One level of the power-budget tree (region → site → pool): what it may draw over time, and what
 * it draws whatever runs (the idle floor of every accelerator beneath it × PUE, and the base loads
 * of it and the levels beneath it). Jobs add their increment over idle to every level above them.
 */
export interface PowerLevel {
  /** Index in `PreparedNetwork.levels`. */
  readonly index: number;
  readonly kind: PowerLevelKind;
  readonly id: string;
  readonly budget: PowerBudget;
  readonly utcOffsetH: number;
  readonly fixedKw: number;
  /** The most its budget ever gives (any hour, month or contracted window). */
  readonly maxKw: number;
  /** The same budget at every hour, and nothing added to it since. */
  readonly flat: boolean;
}

/** A level as it is built: the fixed draw adds up while the tree is walked. */
export interface LevelDraft {
  index: number;
  kind: PowerLevelKind;
  id: string;
  budget: PowerBudget;
  utcOffsetH: number;
  fixedKw: number;
}

export function finishLevel(d: LevelDraft): PowerLevel {
  return {
    ...d,
    fixedKw: d.fixedKw + (d.budget.baseLoadKw ?? 0),
    maxKw: budgetMaxKw(d.budget),
    flat: isFlat(d.budget),
  };
}

/** A level's name for explanations: `region sichuan`, `site tianfu`, `pool tianfu-h100`. */
export function levelName(level: Pick<PowerLevel, 'kind' | 'id'>): string {
  return `${level.kind} ${level.id}`;
}

/** What the ledger adds to one level: windows contracted since the network file, and grid events' ceilings. */
export interface LevelAdditions {
  readonly windows: readonly PowerWindow[];
  readonly events: readonly GridEvent[];
}

/** The additions for each level (by kind and id) in a power state. */
export function additionsOf(power: PowerState | undefined): ReadonlyMap<string, LevelAdditions> {
  const out = new Map<string, { windows: PowerWindow[]; events: GridEvent[] }>();
  if (!power) return out;
  const at = (kind: PowerLevelKind, id: string) => {
    const key = `${kind}:${id}`;
    let a = out.get(key);
    if (!a) {
      a = { windows: [], events: [] };
      out.set(key, a);
    }
    return a;
  };
  for (const s of power.schedules) at(s.level, s.target).windows.push(windowOf(s));
  for (const e of power.events) at(e.level, e.target).events.push(e);
  return out;
}

function windowOf(s: PowerScheduleEntry): PowerWindow {
  return { fromS: s.fromS, toS: s.toS, kw: s.kw };
}

/**
 * What a level may draw at `atS`: its budget (a contracted window's, else the profile's), and no
 * more than a grid event's ceiling then.
 */
export function levelBudgetKwAt(level: PowerLevel, added: LevelAdditions | undefined, atS: number): number {
  let kw = budgetKwAt(level.budget, level.utcOffsetH, atS, added?.windows);
  for (const e of added?.events ?? []) {
    if (atS < e.startS || atS >= e.endS) continue;
    for (const c of e.ceiling) if (c.fromS <= atS && atS < c.toS) kw = Math.min(kw, c.kw);
  }
  return kw;
}

/**
 * A level's budget from `nowS` on, as a value that lasts beyond the horizon (`baseKw`: the least
 * the profile gives, or less where a window runs past the horizon) and changes over it (triples
 * from, to, delta over that value, as `Timeline.bulk` takes them). Flat with nothing added: no changes.
 */
export function budgetChanges(
  level: PowerLevel,
  added: LevelAdditions | undefined,
  nowS: number,
): { readonly baseKw: number; readonly changes: number[] } {
  const windows = [...(level.budget.schedule ?? []), ...(added?.windows ?? [])];
  const events = added?.events ?? [];
  if (level.flat && windows.length === 0 && events.length === 0) {
    return { baseKw: level.budget.kwByHour[0] ?? 0, changes: [] };
  }
  const endS = nowS + BUDGET_HORIZON_S;
  let baseKw = level.flat ? (level.budget.kwByHour[0] ?? 0) : profileMinKw(level.budget);
  for (const w of windows) if (w.toS > endS) baseKw = Math.min(baseKw, w.kw);
  const cuts: number[] = [nowS];
  if (!level.flat) {
    // Every local hour boundary over the horizon.
    const off = level.utcOffsetH;
    for (let n = Math.floor(nowS / 3600 + off) + 1; (n - off) * 3600 < endS; n++) cuts.push((n - off) * 3600);
  }
  for (const w of windows) cuts.push(w.fromS, w.toS);
  for (const e of events) {
    cuts.push(e.startS, e.endS);
    for (const c of e.ceiling) cuts.push(c.fromS, c.toS);
  }
  const sorted = [...new Set(cuts.filter((t) => t >= nowS && t < endS))].sort((a, b) => a - b);
  const changes: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i] as number;
    const to = sorted[i + 1] ?? endS;
    const delta = levelBudgetKwAt(level, added, from) - baseKw;
    if (delta !== 0) changes.push(from, to, delta);
  }
  return { baseKw, changes };
}

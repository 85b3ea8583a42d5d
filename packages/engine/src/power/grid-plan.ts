import type { Network } from '../domain/network.ts';
import type { GridEvent, PowerWindow } from '../domain/power.ts';
import type { Allocation } from '../domain/snapshot.ts';
import { allocationKw, drawSteps, expectedEndS } from '../framework/cycle.ts';
import type { PreparedNetwork, PreparedPool } from '../framework/prepared-network.ts';
import { prepareNetwork } from '../framework/prepared-network.ts';
import type { PowerLevel } from '../framework/power-levels.ts';
import { lostIfStoppedS } from '../ledger/allocation.ts';
import { idlePowerKw } from '../models/energy.ts';
import { cappedDevice, cappedItPowerKw, minCapW } from '../models/power-curve.ts';

/**
 * Who is asked to give power first when the grid asks for less (docs/design/power.md):
 * - `burst`: serving replicas above the guaranteed ones (preemptible `serve` jobs): scaled in;
 * - `preemptible`: other preemptible jobs: stopped, back to the queue;
 * - `slack`: jobs whose deadline (if any) survives a pause: paused (checkpointed), resumed after
 *   the window or moved to another region;
 * - `cap`: the rest run on under a power cap for the window.
 * A job whose deadline every choice would break is asked last, whatever the order.
 */
export type ShedGroup = 'burst' | 'preemptible' | 'slack' | 'cap';

export const SHED_GROUPS: readonly ShedGroup[] = ['burst', 'preemptible', 'slack', 'cap'];

export const DEFAULT_SHED_ORDER: readonly ShedGroup[] = SHED_GROUPS;

/** Steps the plan works in: the window in quarter hours. */
export const PLAN_SLOT_S = 900;

/** What a grid event asks, before its ceiling is resolved. */
export type GridRequest = Omit<GridEvent, 'ceiling'>;

export type GridActionKind = 'scale-in' | 'preempt' | 'pause' | 'cap';

/** One job's part in a plan. */
export interface GridAction {
  readonly jobId: string;
  readonly tenant: string;
  readonly group: ShedGroup;
  readonly action: GridActionKind;
  readonly poolId: string;
  readonly count: number;
  /** The cap per accelerator (W), for `cap`. */
  readonly capW?: number;
  /** Facility power the action takes off the level while it holds. */
  readonly savedKw: number;
  /** When the action takes effect, and until when it holds (a cap lifts, a paused job may come back). */
  readonly fromS: number;
  readonly toS: number;
  /** Accelerator-hours of work lost (since the last checkpoint, or to the cap's slower speed). */
  readonly lostAcceleratorHours: number;
  /** What the lost work cost at the pool's price, fen. */
  readonly costFen: number;
  /** How much later the job is expected to end. */
  readonly delayS: number;
  /** True when the job would miss its deadline (only when no other choice was left). */
  readonly breaksDeadline: boolean;
  /** For a stopped job: expected to run elsewhere at once (`move`) or to wait out the window (`wait`). */
  readonly then?: 'move' | 'wait';
}

/** The answer to a grid event: what Suanli will do, what it costs, and whether it is enough. */
export interface GridPlan {
  readonly event: GridEvent;
  /** The load expected over the window without the event (what runs now, to its expected end), kWh. */
  readonly baselineKwh: number;
  /** The reduction asked, kWh over the window, and at its peak, kW. */
  readonly askedKwh: number;
  readonly askedKw: number;
  /** The load expected with the plan, kWh. */
  readonly plannedKwh: number;
  /** What the plan cannot take off at its worst quarter hour (kW), and over the window (kWh); 0: met. */
  readonly shortfallKw: number;
  readonly shortfallKwh: number;
  readonly feasible: boolean;
  readonly actions: readonly GridAction[];
  readonly lostAcceleratorHours: number;
  readonly costFen: number;
  readonly delayedJobs: number;
  readonly deadlinesBroken: number;
}

interface Candidate {
  readonly a: Allocation;
  readonly pool: PreparedPool;
  readonly kw: number;
  readonly group: ShedGroup;
  /** Slots it draws in over the window: [first, last). */
  readonly first: number;
  readonly last: number;
  readonly endS: number;
}

/**
 * Plans the answer to a grid event on what the ledger holds now: resolves its ceiling (for a
 * reduction, the baseline less the reduction, quarter hour by quarter hour), then takes power off
 * the level in the shedding order until every quarter hour is under the ceiling or nothing is left
 * to take. Pure and deterministic.
 */
export function planGridEvent(
  network: Network,
  allocations: readonly Allocation[],
  request: GridRequest,
  nowS: number,
  order: readonly ShedGroup[] = DEFAULT_SHED_ORDER,
): GridPlan {
  const net = prepareNetwork(network);
  const level = net.levelByKey.get(`${request.level}:${request.target}`);
  const applyS = Math.max(nowS, request.startS);
  const fromS = request.startS;
  const slots = Math.max(1, Math.ceil((request.endS - fromS) / PLAN_SLOT_S));
  const slotStart = (k: number) => fromS + k * PLAN_SLOT_S;
  const slotEnd = (k: number) => Math.min(request.endS, fromS + (k + 1) * PLAN_SLOT_S);
  const pools = new Set(level ? net.levelPools[level.index] : []);
  const fixedKw = level?.fixedKw ?? 0;
  // Baseline per slot: the most (any allocation drawing in part of it) and the least (those drawing throughout).
  const most = new Float64Array(slots).fill(fixedKw);
  const least = new Float64Array(slots).fill(fixedKw);
  let baselineKwh = (fixedKw * (request.endS - fromS)) / 3600;
  const candidates: Candidate[] = [];
  const slotOf = (t: number) => Math.floor((t - fromS) / PLAN_SLOT_S);
  for (const a of allocations) {
    const pool = net.poolById.get(a.poolId);
    if (!pool || !pools.has(pool)) continue;
    const startS = Math.max(a.startS, fromS);
    const endS = Math.min(expectedEndS(a, nowS), request.endS);
    if (endS <= startS) continue;
    const kw = allocationKw(pool, a, applyS);
    // Step by step: another event's cap on it may lift within this window.
    drawSteps(pool, a, startS, endS, (from, to, stepKw) => {
      baselineKwh += (stepKw * (to - from)) / 3600;
      for (let k = Math.max(0, slotOf(from)); k < Math.min(slots, slotOf(to - 1) + 1); k++) {
        most[k] = (most[k] ?? 0) + stepKw;
        if (from <= slotStart(k) && to >= slotEnd(k)) least[k] = (least[k] ?? 0) + stepKw;
      }
    });
    const first = Math.max(0, slotOf(startS));
    const last = Math.min(slots, slotOf(endS - 1) + 1);
    candidates.push({ a, pool, kw, group: 'cap', first, last, endS: expectedEndS(a, nowS) });
  }

  // The ceiling, and what must come off each slot to stay under it.
  const ceilingKw = new Float64Array(slots);
  const need = new Float64Array(slots);
  let askedKwh = 0;
  let askedKw = 0;
  for (let k = 0; k < slots; k++) {
    const hours = (slotEnd(k) - slotStart(k)) / 3600;
    // A reduction larger than the load gives a ceiling below zero: what cannot come off is short.
    const c = request.ceilingKw !== undefined ? request.ceilingKw : (least[k] ?? 0) - (request.reductionKw ?? 0);
    ceilingKw[k] = Math.max(0, c);
    need[k] = Math.max(0, (most[k] ?? 0) - c);
    const asked = request.ceilingKw !== undefined ? Math.max(0, (least[k] ?? 0) - c) : (request.reductionKw ?? 0);
    askedKwh += asked * hours;
    askedKw = Math.max(askedKw, need[k] ?? 0);
  }

  const busy = busyByPool(allocations, nowS);
  const actions: GridAction[] = [];
  const done = new Set<Candidate>();
  for (const { c, group, breaks } of phases(candidates, order, nowS, request, applyS)) {
    if (done.has(c) || !anyNeed(need, c.first, c.last)) continue;
    const action = actionFor(net, { ...c, group }, request, applyS, need, breaks, busy, level);
    if (!action) continue;
    done.add(c);
    for (let k = c.first; k < c.last; k++) need[k] = Math.max(0, (need[k] ?? 0) - action.savedKw);
    actions.push(action);
  }

  let shortfallKw = 0;
  let shortfallKwh = 0;
  let savedKwh = 0;
  for (let k = 0; k < slots; k++) {
    shortfallKw = Math.max(shortfallKw, need[k] ?? 0);
    shortfallKwh += ((need[k] ?? 0) * (slotEnd(k) - slotStart(k))) / 3600;
  }
  for (const x of actions) savedKwh += (x.savedKw * Math.max(0, Math.min(x.toS, request.endS) - x.fromS)) / 3600;
  const ceiling = mergeSteps(ceilingKw, slotStart, slotEnd);
  const event: GridEvent = { ...request, ceiling };
  return {
    event,
    baselineKwh,
    askedKwh,
    askedKw,
    plannedKwh: Math.max(0, baselineKwh - savedKwh),
    shortfallKw: shortfallKw > 1e-6 ? shortfallKw : 0,
    shortfallKwh: shortfallKwh > 1e-6 ? shortfallKwh : 0,
    feasible: shortfallKw <= 1e-6,
    actions,
    lostAcceleratorHours: actions.reduce((n, x) => n + x.lostAcceleratorHours, 0),
    costFen: actions.reduce((n, x) => n + x.costFen, 0),
    delayedJobs: actions.filter((x) => x.delayS > 0).length,
    deadlinesBroken: actions.filter((x) => x.breaksDeadline).length,
  };
}

/**
 * The candidates in the order they are asked, group by group in the profile's order: `burst`
 * (preemptible serving replicas), `preemptible` (other preemptible jobs), `slack` (jobs a pause
 * for the window leaves within their deadlines), `cap` (every job not asked yet, capped). A job
 * whose deadline even the deepest cap would break is asked last of all. Within a group: the least
 * work lost first, then the most power, then the job id.
 */
function phases(
  candidates: readonly Candidate[],
  order: readonly ShedGroup[],
  nowS: number,
  request: GridRequest,
  applyS: number,
): { c: Candidate; group: ShedGroup; breaks: boolean }[] {
  const info = candidates.map((c) => {
    const deadline = c.a.deadlineS;
    const spec = c.pool.spec;
    const heldS = Math.max(0, Math.min(c.endS, request.endS) - applyS);
    const slowest = cappedDevice(spec, c.a.kind, minCapW(spec)).throughput;
    return {
      c,
      pauseBreaks: deadline !== undefined && c.endS + (request.endS - applyS) > deadline,
      capBreaks: deadline !== undefined && c.endS + heldS * (1 / slowest - 1) > deadline,
      lost: lostIfStoppedS(c.a, nowS),
    };
  });
  const byCost = (x: (typeof info)[number], y: (typeof info)[number]) =>
    x.lost - y.lost || y.c.kw - x.c.kw || (x.c.a.jobId < y.c.a.jobId ? -1 : x.c.a.jobId > y.c.a.jobId ? 1 : 0);
  const members: Record<ShedGroup, (x: (typeof info)[number]) => boolean> = {
    burst: (x) => x.c.a.preemptible && x.c.a.kind === 'serve',
    preemptible: (x) => x.c.a.preemptible && (x.c.a.kind !== 'serve' || !order.includes('burst')),
    // Guaranteed serving replicas are never paused: they are capped.
    slack: (x) => !x.pauseBreaks && (x.c.a.kind !== 'serve' || x.c.a.preemptible),
    cap: (x) => !x.capBreaks,
  };
  const out: { c: Candidate; group: ShedGroup; breaks: boolean }[] = [];
  for (const group of order) {
    for (const x of info.filter(members[group]).sort(byCost)) out.push({ c: x.c, group, breaks: false });
  }
  // Last: caps that break a deadline, since nothing else was left.
  for (const x of info.filter((x) => x.capBreaks).sort(byCost)) out.push({ c: x.c, group: 'cap', breaks: true });
  return out;
}

function anyNeed(need: Float64Array, first: number, last: number): boolean {
  for (let k = first; k < last; k++) if ((need[k] ?? 0) > 1e-9) return true;
  return false;
}

/** The action a candidate's group asks of it, sized to what is still needed. */
function actionFor(
  net: PreparedNetwork,
  c: Candidate,
  request: GridRequest,
  applyS: number,
  need: Float64Array,
  breaks: boolean,
  busy: Map<string, number>,
  level: PowerLevel | undefined,
): GridAction | undefined {
  const { a, pool } = c;
  const price = pool.pool.priceCnyPerAcceleratorHour * 100;
  const base = { jobId: a.jobId, tenant: a.tenant, group: c.group, poolId: a.poolId, count: a.count };
  if (c.group !== 'cap') {
    const lostS = lostIfStoppedS(a, applyS);
    const move = elsewhere(net, pool, a.count, busy, level);
    const stopAction: GridActionKind = c.group === 'burst' ? 'scale-in' : c.group === 'preemptible' ? 'preempt' : 'pause';
    return {
      ...base,
      action: stopAction,
      savedKw: c.kw,
      fromS: applyS,
      toS: Math.min(c.endS, request.endS),
      lostAcceleratorHours: lostS / 3600,
      costFen: Math.round((lostS / 3600) * price),
      delayS: c.group === 'burst' ? 0 : move ? 0 : Math.max(0, request.endS - applyS),
      breaksDeadline: false,
      ...(c.group === 'burst' ? {} : { then: move ? ('move' as const) : ('wait' as const) }),
    };
  }
  // A cap just low enough for what is still needed, not below the device's least.
  let most = 0;
  for (let k = c.first; k < c.last; k++) most = Math.max(most, need[k] ?? 0);
  const spec = pool.spec;
  const activeKw = c.kw;
  const perDeviceW = (w: number) =>
    (cappedItPowerKw(spec, a.kind, a.count, w) - idlePowerKw(spec, a.count)) * pool.site.site.pue;
  // What it draws now (under its own cap, if it has one) is what a deeper cap is measured from.
  const now = cappedDevice(spec, a.kind, a.powerCapW);
  const activeW = now.deviceW;
  const floorW = minCapW(spec);
  if (activeW <= floorW) return undefined;
  // kW saved per W of cap per device: linear in the cap.
  const kwPerW = (activeKw - perDeviceW(floorW)) / (activeW - floorW);
  const wantW = activeW - most / Math.max(kwPerW, 1e-9);
  const capW = Math.min(Math.floor(activeW), Math.max(floorW, Math.floor(wantW / 10) * 10));
  if (capW >= activeW) return undefined;
  const savedKw = activeKw - perDeviceW(capW);
  if (savedKw <= 0) return undefined;
  const throughput = cappedDevice(spec, a.kind, capW).throughput / now.throughput;
  const heldS = Math.max(0, Math.min(c.endS, request.endS) - applyS);
  const delayS = heldS * (1 / throughput - 1);
  const lostS = a.count * heldS * (1 - throughput);
  return {
    ...base,
    action: 'cap',
    capW,
    savedKw,
    fromS: applyS,
    toS: request.endS,
    lostAcceleratorHours: lostS / 3600,
    costFen: Math.round((lostS / 3600) * price),
    delayS,
    breaksDeadline: breaks && a.deadlineS !== undefined && c.endS + delayS > a.deadlineS,
  };
}

/** Accelerators held per pool now. */
function busyByPool(allocations: readonly Allocation[], nowS: number): Map<string, number> {
  const busy = new Map<string, number>();
  for (const a of allocations) if (a.startS <= nowS + 3600) busy.set(a.poolId, (busy.get(a.poolId) ?? 0) + a.count);
  return busy;
}

/**
 * Whether a stopped job could run at once outside the level: a pool of its type elsewhere with
 * its accelerators free (the next cycle decides; this is what the plan expects). Takes them.
 */
function elsewhere(
  net: PreparedNetwork,
  pool: PreparedPool,
  count: number,
  busy: Map<string, number>,
  level: PowerLevel | undefined,
): boolean {
  for (const p of net.poolsByType.get(pool.pool.accelerator) ?? []) {
    if (p === pool || (level && p.levels.includes(level))) continue;
    const free = p.pool.count - (busy.get(p.pool.id) ?? 0);
    if (free >= count) {
      busy.set(p.pool.id, (busy.get(p.pool.id) ?? 0) + count);
      return true;
    }
  }
  return false;
}

/** Slot values as steps, equal neighbours merged. */
function mergeSteps(values: Float64Array, start: (k: number) => number, end: (k: number) => number): PowerWindow[] {
  const out: PowerWindow[] = [];
  for (let k = 0; k < values.length; k++) {
    const kw = Math.round((values[k] ?? 0) * 1000) / 1000;
    const last = out[out.length - 1];
    if (last && last.kw === kw && last.toS === start(k)) out[out.length - 1] = { ...last, toS: end(k) };
    else out.push({ fromS: start(k), toS: end(k), kw });
  }
  return out;
}

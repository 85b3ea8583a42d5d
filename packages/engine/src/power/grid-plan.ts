import type { Network } from '../domain/network.ts';
import type { GridEvent, ParkedAccelerators, PowerWindow } from '../domain/power.ts';
import type { Allocation } from '../domain/snapshot.ts';
import type { PowerLevel } from '../framework/power-levels.ts';
import type { PreparedNetwork, PreparedPool } from '../framework/prepared-network.ts';
import { prepareNetwork } from '../framework/prepared-network.ts';
import { allocationKw, drawStartS, drawSteps, expectedEndS, idleKwEach } from '../framework/running-draw.ts';
import { lostIfStoppedS } from '../ledger/allocation.ts';
import { cappedDevice, gridCapThroughput, minCapW } from '../models/power-curve.ts';

/**
 * Who is asked to give power first when the grid asks for less (docs/design/power.md):
 * - `idle`: accelerators no run holds over the window are powered down (nothing runs there
 *   meanwhile; no job is touched);
 * - `burst`: serving replicas above the guaranteed ones (preemptible `serve` jobs): scaled in;
 * - `preemptible`: other preemptible jobs: stopped, back to the queue;
 * - `slack`: jobs whose deadline (if any) survives a pause: paused (checkpointed), resumed after
 *   the window or moved to another region;
 * - `cap`: the rest run on under a power cap for the window.
 * A job whose deadline every choice would break is asked last, whatever the order.
 */
export type ShedGroup = 'idle' | 'burst' | 'preemptible' | 'slack' | 'cap';

export const SHED_GROUPS: readonly ShedGroup[] = ['idle', 'burst', 'preemptible', 'slack', 'cap'];

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
  readonly afterwards?: 'move' | 'wait';
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
  /** Idle accelerators powered down for the window, and the power that saves. */
  readonly parked: readonly (ParkedAccelerators & { readonly savedKw: number })[];
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
 * reduction, the baseline less the reduction, quarter hour by quarter hour: the baseline is what
 * draws when the event is planned, held over the window), then takes power off the level in the
 * shedding order until every quarter hour is under the ceiling or nothing is left to take. Pure
 * and deterministic.
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
  // The baseline: what draws at the level, each run taken to run on through the window (a run's
  // estimated end is no promise: one that ends early leaves room, one that overruns would break a
  // ceiling drawn on its estimate), at the most it draws in the window (another event's cap on it
  // may lift). A run placed to start within the window counts from its start.
  const most = new Float64Array(slots).fill(fixedKw);
  let baselineKwh = (fixedKw * (request.endS - fromS)) / 3600;
  const candidates: Candidate[] = [];
  const slotOf = (t: number) => Math.floor((t - fromS) / PLAN_SLOT_S);
  for (const a of allocations) {
    const pool = net.poolById.get(a.poolId);
    if (!pool || !pools.has(pool)) continue;
    const startS = Math.max(drawStartS(a), fromS);
    if (expectedEndS(a, nowS) <= fromS || startS >= request.endS) continue;
    let peakKw = 0;
    drawSteps(pool, a, startS, request.endS, (_from, _to, stepKw) => {
      peakKw = Math.max(peakKw, stepKw);
    });
    baselineKwh += (peakKw * (request.endS - startS)) / 3600;
    const first = Math.max(0, slotOf(startS));
    for (let k = first; k < slots; k++) most[k] = (most[k] ?? 0) + peakKw;
    // What stopping it saves: what it draws when the plan is carried out.
    const kw = allocationKw(pool, a, applyS);
    candidates.push({ a, pool, kw, group: 'cap', first, last: slots, endS: expectedEndS(a, nowS) });
  }
  const least = most;

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
  const parked: (ParkedAccelerators & { savedKw: number })[] = [];
  const done = new Set<Candidate>();
  const { byGroup, last } = phases(candidates, order, nowS, request, applyS);
  const ask = (entries: readonly Phase[]) => {
    for (const { c, group, breaks } of entries) {
      if (done.has(c) || !anyNeed(need, c.first, c.last)) continue;
      const action = actionFor(net, { ...c, group }, request, applyS, need, breaks, busy, level);
      if (!action) continue;
      done.add(c);
      for (let k = c.first; k < c.last; k++) need[k] = Math.max(0, (need[k] ?? 0) - action.savedKw);
      actions.push(action);
    }
  };
  for (const group of order) {
    if (group === 'idle') parked.push(...parkIdle(pools, held(allocations, request, nowS), need));
    else ask(byGroup.get(group) ?? []);
  }
  ask(last);

  let shortfallKw = 0;
  let shortfallKwh = 0;
  let savedKwh = 0;
  for (let k = 0; k < slots; k++) {
    shortfallKw = Math.max(shortfallKw, need[k] ?? 0);
    shortfallKwh += ((need[k] ?? 0) * (slotEnd(k) - slotStart(k))) / 3600;
  }
  for (const x of actions) savedKwh += (x.savedKw * Math.max(0, Math.min(x.toS, request.endS) - x.fromS)) / 3600;
  for (const p of parked) savedKwh += (p.savedKw * (request.endS - applyS)) / 3600;
  const ceiling = mergeSteps(ceilingKw, slotStart, slotEnd);
  const event: GridEvent = {
    ...request,
    ceiling,
    ...(parked.length > 0 ? { parked: parked.map((p) => ({ poolId: p.poolId, count: p.count })) } : {}),
  };
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
    parked,
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
): { byGroup: Map<ShedGroup, Phase[]>; last: Phase[] } {
  const info = candidates.map((c) => {
    const deadline = c.a.deadlineS;
    const spec = c.pool.spec;
    const heldS = Math.max(0, Math.min(c.endS, request.endS) - applyS);
    const slowest = cappedDevice(spec, c.a.kind, minCapW(spec)).throughput;
    return {
      c,
      // A pause waits out the window and runs again the work since its last checkpoint.
      pauseBreaks:
        deadline !== undefined &&
        c.endS + (request.endS - applyS) + lostIfStoppedS(c.a, applyS) / Math.max(1, c.a.count) > deadline,
      capBreaks: deadline !== undefined && c.endS + heldS * (1 / slowest - 1) > deadline,
      lost: lostIfStoppedS(c.a, nowS),
    };
  });
  const byCost = (x: (typeof info)[number], y: (typeof info)[number]) =>
    x.lost - y.lost || y.c.kw - x.c.kw || (x.c.a.jobId < y.c.a.jobId ? -1 : x.c.a.jobId > y.c.a.jobId ? 1 : 0);
  // A stop that would break a job's deadline is not asked while a cap can spare it (then: cap group).
  const members: Record<Exclude<ShedGroup, 'idle'>, (x: (typeof info)[number]) => boolean> = {
    burst: (x) => x.c.a.preemptible && x.c.a.kind === 'serve' && !x.pauseBreaks,
    preemptible: (x) => x.c.a.preemptible && (x.c.a.kind !== 'serve' || !order.includes('burst')) && !x.pauseBreaks,
    // Guaranteed serving replicas are never paused: they are capped.
    slack: (x) => !x.pauseBreaks && (x.c.a.kind !== 'serve' || x.c.a.preemptible),
    // A run capped by another grid event already is stopped if anything, never capped twice.
    cap: (x) => !x.capBreaks && x.c.a.gridCapW === undefined,
  };
  const byGroup = new Map<ShedGroup, Phase[]>();
  for (const group of order) {
    if (group === 'idle') continue;
    byGroup.set(
      group,
      info
        .filter(members[group])
        .sort(byCost)
        .map((x) => ({ c: x.c, group, breaks: false })),
    );
  }
  // Last: caps that break a deadline, since nothing else was left.
  const last = info
    .filter((x) => x.capBreaks && x.c.a.gridCapW === undefined)
    .sort(byCost)
    .map((x): Phase => ({ c: x.c, group: 'cap', breaks: true }));
  return { byGroup, last };
}

interface Phase {
  readonly c: Candidate;
  readonly group: ShedGroup;
  readonly breaks: boolean;
}

/** Accelerators each pool's runs hold at some time in the window. */
function held(allocations: readonly Allocation[], request: GridRequest, nowS: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of allocations) {
    if (a.startS >= request.endS || expectedEndS(a, nowS) <= request.startS) continue;
    out.set(a.poolId, (out.get(a.poolId) ?? 0) + a.count);
  }
  return out;
}

/**
 * Powers down accelerators no run holds over the window, pool by pool, as many as the worst
 * quarter hour still needs (whole nodes where a pool has them): they draw nothing and take no
 * placement until the event ends.
 */
function parkIdle(
  pools: ReadonlySet<PreparedPool>,
  heldBy: ReadonlyMap<string, number>,
  need: Float64Array,
): (ParkedAccelerators & { savedKw: number })[] {
  const out: (ParkedAccelerators & { savedKw: number })[] = [];
  for (const pool of pools) {
    let most = 0;
    for (const n of need) most = Math.max(most, n);
    if (most <= 1e-9) break;
    const free = pool.pool.count - (heldBy.get(pool.pool.id) ?? 0);
    const node = pool.pool.nodeSize ?? 1;
    const perKw = idleKwEach(pool);
    if (free < node || perKw <= 0) continue;
    const wanted = Math.ceil(most / perKw / node) * node;
    const count = Math.min(Math.floor(free / node) * node, wanted);
    if (count <= 0) continue;
    const savedKw = count * perKw;
    for (let k = 0; k < need.length; k++) need[k] = Math.max(0, (need[k] ?? 0) - savedKw);
    out.push({ poolId: pool.pool.id, count, savedKw });
  }
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
    const stopAction: GridActionKind =
      c.group === 'burst' ? 'scale-in' : c.group === 'preemptible' ? 'preempt' : 'pause';
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
      ...(c.group === 'burst' ? {} : { afterwards: move ? ('move' as const) : ('wait' as const) }),
    };
  }
  // A cap just low enough for what is still needed, not below the device's least.
  let most = 0;
  for (let k = c.first; k < c.last; k++) most = Math.max(most, need[k] ?? 0);
  const spec = pool.spec;
  const activeKw = c.kw;
  // What it would draw under a cap of w per device.
  const perDeviceW = (w: number) => allocationKw(pool, { kind: a.kind, count: a.count, powerCapW: w });
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
  const throughput = gridCapThroughput(spec, a.kind, capW, a.powerCapW);
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

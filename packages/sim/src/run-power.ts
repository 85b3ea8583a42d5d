import {
  type GridAction,
  type GridDelivery,
  type GridPlan,
  type GridRequest,
  GridResponse,
  type Ledger,
  type PowerLevelKind,
  type PreparedNetwork,
  seededRng,
} from '@suanli/engine';
import type { EventQueue } from './event-queue.ts';

export type { DailyGridEvents, GridEventInput, GridEventRate, PowerInput } from './run-power-input.ts';

import type { GridEventInput, PowerInput } from './run-power-input.ts';
import { END, type Event } from './run-state.ts';

/** What demand response cost and got in a run. */
export interface DemandResponseSummary {
  readonly events: number;
  /** Events whose delivered reduction reached what was asked (to 1 %). */
  readonly met: number;
  /** Events whose plan was in place by the deadline to comply. */
  readonly onTime: number;
  /** Events whose plan said at once it would fall short. */
  readonly plannedShort: number;
  readonly askedKwh: number;
  readonly deliveredKwh: number;
  /** Share of the asked kWh delivered within the windows (each event counts up to what it asked), percent. */
  readonly deliveredPct: number;
  /** Share of events delivered on time and in full, percent. */
  readonly eventsMetPct: number;
  readonly lostAcceleratorHours: number;
  /** Idle accelerators powered down for the windows, accelerator-hours. */
  readonly parkedAcceleratorHours: number;
  readonly costFen: number;
  readonly delayedJobs: number;
  readonly deadlinesBroken: number;
  readonly actions: Readonly<Record<GridAction['action'], number>>;
  /** Each event: where, what its plan did, what it asked and got. */
  readonly byEvent: readonly {
    readonly id: string;
    readonly target: string;
    readonly feasible: boolean;
    readonly actions: number;
    readonly parked: number;
    readonly askedKwh: number;
    readonly baselineKwh: number;
    readonly deliveredKwh: number;
    readonly onTime: boolean;
  }[];
}

type GridEv = Extract<Event, { kind: 'grid-issue' | 'grid-start' | 'grid-end' }>;

/** How the run carries out a plan's actions: stop a run (back to the queue), or cap it until a time. */
export interface GridHands {
  /** False when the job is not running on that pool any more (ended, or moved since the plan). */
  stop(jobId: string, poolId: string, atS: number, reason: string): boolean;
  cap(jobId: string, poolId: string, capW: number, untilS: number, atS: number): boolean;
}

/**
 * The grid's requests in a simulated run: issued at their times (fixed, daily or drawn at a
 * seeded rate), planned and carried out through the engine's `GridResponse` as the live service
 * does, their load measured over each window from the ledger.
 */
export class GridEvents {
  private readonly response: GridResponse;
  private readonly deliveries: GridDelivery[] = [];
  private readonly plans: GridPlan[] = [];
  private readonly counts: Record<GridAction['action'], number> = { 'scale-in': 0, preempt: 0, pause: 0, cap: 0 };
  private seq = 0;
  /** What the actions carried out cost (at issue and to keep windows under their ceilings). */
  private lostAccH = 0;
  private costFen = 0;
  private delayed = 0;
  private broken = 0;
  private readonly ledger: Ledger;
  private readonly net: PreparedNetwork;
  private readonly events: EventQueue<Event>;
  private readonly input: PowerInput;
  private readonly seed: number;
  private readonly hands: GridHands;

  constructor(
    ledger: Ledger,
    net: PreparedNetwork,
    events: EventQueue<Event>,
    input: PowerInput,
    seed: number,
    hands: GridHands,
  ) {
    this.ledger = ledger;
    this.net = net;
    this.events = events;
    this.input = input;
    this.seed = seed;
    this.hands = hands;
    this.response = new GridResponse(input.shedOrder);
  }

  static is(ev: Event): ev is GridEv {
    return ev.kind === 'grid-issue' || ev.kind === 'grid-start' || ev.kind === 'grid-end';
  }

  /** Puts every request of the run in the event queue, from its first event `t0`. */
  schedule(t0: number): void {
    const push = (e: GridEventInput) => this.events.push(t0 + e.atS, END, { kind: 'grid-issue', input: e });
    for (const e of this.input.events ?? []) push(e);
    for (const d of this.input.daily ?? []) {
      for (const t of d.targets) {
        const off = this.offsetOf(t.level, t.target);
        // The first start at the local hour on or after day `firstDay`.
        const midnight = Math.floor((t0 + off * 3600) / 86_400) * 86_400 - off * 3600;
        for (let day = d.firstDay; day < d.firstDay + d.days; day++) {
          const startS = midnight + day * 86_400 + d.fromHour * 3600;
          const atS = startS - d.noticeS - t0;
          if (atS < 0) continue;
          push({
            level: t.level,
            target: t.target,
            atS,
            noticeS: d.noticeS,
            durationS: d.hours * 3600,
            complyWithinS: d.complyWithinS,
            reductionPct: d.reductionPct,
          });
        }
      }
    }
    const rate = this.input.rate;
    if (rate && rate.perDay > 0 && rate.targets.length > 0) {
      const rng = seededRng(this.seed ^ 0x6e1d);
      for (let at = -Math.log(1 - rng.next()) * (86_400 / rate.perDay); at < rate.days * 86_400; ) {
        const target = rate.targets[Math.floor(rng.next() * rate.targets.length)] ?? rate.targets[0];
        if (target) {
          push({
            ...target,
            atS: Math.round(at),
            noticeS: rate.noticeS,
            durationS: rate.durationS,
            complyWithinS: rate.complyWithinS,
            reductionPct: rate.reductionPct,
          });
        }
        at += -Math.log(1 - rng.next()) * (86_400 / rate.perDay);
      }
    }
  }

  handle(ev: GridEv, t: number): void {
    if (ev.kind === 'grid-issue') {
      const e = ev.input;
      const startS = t + e.noticeS;
      const reductionKw =
        e.reductionKw ??
        (e.reductionPct !== undefined
          ? (this.ledger.levelLoadKw(e.level, e.target, t) * e.reductionPct) / 100
          : undefined);
      const request: GridRequest = {
        id: `ge-${++this.seq}`,
        level: e.level,
        target: e.target,
        startS,
        endS: startS + e.durationS,
        complyByS: startS + e.complyWithinS,
        ...(e.ceilingKw !== undefined ? { ceilingKw: e.ceilingKw } : { reductionKw: reductionKw ?? 0 }),
      };
      const plan = this.response.issue(this.ledger, request, t);
      this.plans.push(plan);
      if (startS > t) this.events.push(startS, END, { kind: 'grid-start', id: request.id });
      this.events.push(request.endS, END, { kind: 'grid-end', id: request.id });
      this.carryOut(t);
    } else if (ev.kind === 'grid-start') {
      this.carryOut(t);
    } else {
      this.sample(t);
      this.deliveries.push(...this.response.finish(this.ledger, t));
    }
  }

  /** Measures the open windows' load after the events at t changed it. */
  sample(t: number): void {
    // A window over its ceiling (a run overran its estimate) is put back under it first.
    if (this.response.meter.activeAt(t)) {
      const more = this.response.enforce(this.ledger, t);
      this.carryOutAll(more, t);
    }
    this.response.sample(this.ledger, t);
  }

  summary(): DemandResponseSummary {
    const d = this.deliveries;
    const asked = d.reduce((n, x) => n + x.askedKwh, 0);
    const delivered = d.reduce((n, x) => n + Math.max(0, Math.min(x.deliveredKwh, x.askedKwh)), 0);
    const met = d.filter((x) => x.deliveredKwh >= x.askedKwh * 0.99 - 1e-9);
    const onTime = d.filter((x) => x.onTime);
    const sum = (f: (p: GridPlan) => number) => this.plans.reduce((n, p) => n + f(p), 0);
    return {
      events: d.length,
      met: met.length,
      onTime: onTime.length,
      plannedShort: this.plans.filter((p) => !p.feasible).length,
      askedKwh: asked,
      deliveredKwh: d.reduce((n, x) => n + x.deliveredKwh, 0),
      deliveredPct: asked > 0 ? (100 * delivered) / asked : 100,
      eventsMetPct: d.length > 0 ? (100 * met.filter((x) => x.onTime).length) / d.length : 100,
      lostAcceleratorHours: this.lostAccH,
      parkedAcceleratorHours: sum((p) =>
        p.parked.reduce((n, x) => n + (x.count * (p.event.endS - p.event.startS)) / 3600, 0),
      ),
      costFen: this.costFen,
      delayedJobs: this.delayed,
      deadlinesBroken: this.broken,
      actions: { ...this.counts },
      byEvent: d.map((x) => {
        const p = this.plans.find((q) => q.event.id === x.eventId);
        return {
          id: x.eventId,
          target: p ? `${p.event.level} ${p.event.target}` : '',
          feasible: p?.feasible ?? false,
          actions: p?.actions.length ?? 0,
          parked: p?.parked.reduce((n, q) => n + q.count, 0) ?? 0,
          askedKwh: x.askedKwh,
          baselineKwh: x.baselineKwh,
          deliveredKwh: x.deliveredKwh,
          onTime: x.onTime,
        };
      }),
    };
  }

  private carryOut(t: number): void {
    this.carryOutAll(this.response.due(t), t);
    this.sample(t);
  }

  private carryOutAll(
    due: readonly { readonly plan: GridPlan; readonly actions: readonly GridAction[] }[],
    t: number,
  ): void {
    for (const { plan, actions } of due) {
      for (const a of actions) {
        const done =
          a.action === 'cap'
            ? this.hands.cap(a.jobId, a.poolId, a.capW ?? 0, plan.event.endS, t)
            : this.hands.stop(a.jobId, a.poolId, t, `grid event ${plan.event.id}: ${a.action}`);
        if (!done) continue;
        this.counts[a.action]++;
        this.lostAccH += a.lostAcceleratorHours;
        this.costFen += a.costFen;
        if (a.delayS > 0) this.delayed++;
        if (a.breaksDeadline) this.broken++;
      }
    }
  }

  private offsetOf(level: Exclude<PowerLevelKind, 'pool'>, target: string): number {
    return this.net.levelByKey.get(`${level}:${target}`)?.utcOffsetH ?? 8;
  }
}

import type { AcceleratorSpec } from '../domain/accelerator.ts';
import type { GridEvent } from '../domain/power.ts';
import type { Allocation } from '../domain/snapshot.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { gridCapThroughput } from '../models/power-curve.ts';
import { type GridDelivery, GridMeter } from './grid-meter.ts';
import {
  DEFAULT_SHED_ORDER,
  type GridAction,
  type GridPlan,
  type GridRequest,
  planGridEvent,
  type ShedGroup,
} from './grid-plan.ts';

/**
 * When a run capped over [fromS, untilS) at `throughput` of its speed ends, if it was to end at
 * `endS` uncapped: the work of the capped span takes longer, the rest runs at full speed.
 */
export function cappedEndS(endS: number, fromS: number, untilS: number, throughput: number): number {
  if (endS <= fromS || throughput >= 1) return endS;
  const workS = endS - fromS;
  const cappedS = untilS - fromS;
  if (workS <= cappedS * throughput) return fromS + workS / throughput;
  return untilS + (workS - cappedS * throughput);
}

/**
 * A running allocation under a grid event's cap from `fromS` until `untilS`: less power, a later
 * end; its own cap (if any) holds again after. A run is capped by one grid event at a time (plans
 * never cap a run capped already), so the live service and the simulator stretch it alike.
 */
export function capAllocation(
  a: Allocation,
  spec: AcceleratorSpec,
  capW: number,
  fromS: number,
  untilS: number,
): Allocation {
  if (untilS <= fromS) return a;
  const throughput = gridCapThroughput(spec, a.kind, capW, a.powerCapW);
  return { ...a, gridCapW: capW, capUntilS: untilS, endS: cappedEndS(a.endS, fromS, untilS, throughput) };
}

/**
 * Grid events from issue to report, the same for the live service and the simulator: `issue`
 * plans the answer on the ledger and puts the event's ceiling into it; the driver carries out the
 * plan's actions when they fall due (`due`: at once, or at the event's start) its own way — stops
 * as preemptions, caps through `capAllocation` — samples the load while a window is open, and
 * records each delivery `finish` gives. Pure.
 */
export class GridResponse {
  readonly meter = new GridMeter();
  private readonly order: readonly ShedGroup[];
  private readonly pending = new Map<string, GridPlan>();
  private readonly plans = new Map<string, GridPlan>();

  constructor(order: readonly ShedGroup[] = DEFAULT_SHED_ORDER) {
    this.order = order;
  }

  /** Plans the answer to a request on what the ledger holds at `nowS`, and puts its ceiling in force. */
  issue(ledger: Ledger, request: GridRequest, nowS: number): GridPlan {
    const plan = planGridEvent(ledger.network, ledger.allocations, request, nowS, this.order);
    this.adopt(ledger, plan, nowS);
    return plan;
  }

  /**
   * Takes a plan made elsewhere (read back from the audit log) as if issued here. One whose
   * actions were carried out already (`appliedAtS`) is only measured, from `nowS` on.
   */
  adopt(ledger: Ledger, plan: GridPlan, nowS: number, appliedAtS?: number): void {
    ledger.gridEvent(plan.event, nowS);
    if (this.plans.has(plan.event.id)) return;
    this.plans.set(plan.event.id, plan);
    // Taken up after its start (another server issued it, or this one restarted): measured from now.
    const sinceS = Math.max(plan.event.startS, nowS);
    if (appliedAtS === undefined) {
      // A plan is carried out only while its window is open: one whose window is over is only reported.
      if (plan.event.endS > nowS) this.pending.set(plan.event.id, plan);
      this.meter.watch(plan.event, plan.baselineKwh, plan.askedKwh, sinceS);
    } else {
      this.meter.watch(plan.event, plan.baselineKwh, plan.askedKwh, sinceS);
      this.meter.applied(plan.event.id, appliedAtS);
    }
  }

  /** The plan of an event this response knows. */
  plan(id: string): GridPlan | undefined {
    return this.plans.get(id);
  }

  /** Plans whose actions fall due by `nowS` (at the event's start, or at once): each given once. */
  due(nowS: number): { readonly plan: GridPlan; readonly actions: readonly GridAction[] }[] {
    const out: { plan: GridPlan; actions: readonly GridAction[] }[] = [];
    for (const [id, plan] of this.pending) {
      if (plan.event.startS > nowS) continue;
      this.pending.delete(id);
      if (plan.event.endS <= nowS) continue;
      this.meter.applied(id, nowS);
      out.push({ plan, actions: plan.actions });
    }
    return out;
  }

  /**
   * Puts open windows back under their ceilings where the level draws more than the ceiling now
   * (runs that overran their estimates, a plan's job that could not be stopped): a plan on what runs
   * now, jobs only (powered-down accelerators are decided once, when the event is issued). Each
   * result's actions are carried out as a plan's are.
   */
  enforce(ledger: Ledger, nowS: number): { readonly plan: GridPlan; readonly actions: readonly GridAction[] }[] {
    const out: { plan: GridPlan; actions: readonly GridAction[] }[] = [];
    const jobsOnly = this.order.filter((g) => g !== 'idle');
    for (const plan of this.plans.values()) {
      const e = plan.event;
      if (nowS < e.startS || nowS >= e.endS || this.pending.has(e.id)) continue;
      const load = ledger.levelLoadKw(e.level, e.target, nowS);
      let ceilingKw = Number.POSITIVE_INFINITY;
      for (const c of e.ceiling) if (c.toS > nowS) ceilingKw = Math.min(ceilingKw, c.kw);
      if (!(load > ceilingKw + 1e-6)) continue;
      // The plan counts the level's whole fixed draw: what powered-down accelerators save is added back.
      const parkedKw = ledger.parkedKw(e.level, e.target, nowS);
      const request: GridRequest = {
        id: e.id,
        level: e.level,
        target: e.target,
        startS: nowS,
        endS: e.endS,
        complyByS: nowS,
        ceilingKw: ceilingKw + parkedKw,
      };
      const more = planGridEvent(ledger.network, ledger.allocations, request, nowS, jobsOnly);
      if (more.actions.length > 0) out.push({ plan, actions: more.actions });
    }
    return out;
  }

  /** Samples every open window's load from the ledger. */
  sample(ledger: Ledger, nowS: number): void {
    if (!this.meter.activeAt(nowS)) return;
    this.meter.sample(nowS, (e: GridEvent) => ledger.levelLoadKw(e.level, e.target, nowS));
  }

  /** Deliveries of the windows over by `nowS`. */
  finish(ledger: Ledger, nowS: number): GridDelivery[] {
    const done = this.meter.finish(nowS, (e) => ledger.levelLoadKw(e.level, e.target, Math.min(nowS, e.endS)));
    for (const d of done) this.plans.delete(d.eventId);
    return done;
  }
}

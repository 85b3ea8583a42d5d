import { formatDuration, type Ledger } from '@suanli/engine';
import type { EventQueue } from './event-queue.ts';
import type { FailureModel, Failures } from './failures.ts';
import { END, type Event } from './run-state.ts';

type HealthEvent = Extract<Event, { kind: 'site-out' | 'site-back' | 'link-cut' | 'link-back' }>;

/**
 * Sites out of service and links cut in a simulated run: scheduled from the failure model (at
 * given times, and at random per site), and applied to the ledger as the live service applies
 * them. When a site goes out, `failRunsAt` fails the runs there.
 */
export class HealthEvents {
  private readonly ledger: Ledger;
  private readonly events: EventQueue<Event>;
  private readonly failures: Failures | undefined;
  private readonly model: FailureModel | undefined;
  private readonly failRunsAt: (siteId: string, atS: number) => void;

  constructor(
    ledger: Ledger,
    events: EventQueue<Event>,
    failures: Failures | undefined,
    model: FailureModel | undefined,
    failRunsAt: (siteId: string, atS: number) => void,
  ) {
    this.ledger = ledger;
    this.events = events;
    this.failures = failures;
    this.model = model;
    this.failRunsAt = failRunsAt;
  }

  static is(ev: Event): ev is HealthEvent {
    return ev.kind === 'site-out' || ev.kind === 'site-back' || ev.kind === 'link-cut' || ev.kind === 'link-back';
  }

  /** Outages and cuts at given times (seconds after `t0`, the first event), and each site's first random outage. */
  schedule(t0: number, siteIds: readonly string[]): void {
    const model = this.model;
    if (!model) return;
    for (const o of model.outages ?? []) {
      this.events.push(t0 + o.startS, END, {
        kind: 'site-out',
        siteId: o.siteId,
        durationS: o.durationS,
        random: false,
      });
    }
    for (const c of model.linkCuts ?? []) {
      this.events.push(t0 + c.startS, END, { kind: 'link-cut', from: c.from, to: c.to, durationS: c.durationS });
    }
    const durationS = model.outageRate?.durationS ?? 0;
    for (const siteId of siteIds) {
      const at = this.failures?.nextOutageS(t0);
      if (at !== undefined) this.events.push(at, END, { kind: 'site-out', siteId, durationS, random: true });
    }
  }

  handle(ev: HealthEvent, t: number): void {
    const f = this.failures;
    if (ev.kind === 'site-out') {
      const outage = {
        siteId: ev.siteId,
        sinceS: t,
        failureClass: 'site-outage' as const,
        reason: `simulated outage of ${formatDuration(ev.durationS)}`,
      };
      if (this.ledger.siteOut(outage, t)) {
        if (f) f.siteOutages++;
        this.failRunsAt(ev.siteId, t);
        this.events.push(t + ev.durationS, END, { kind: 'site-back', siteId: ev.siteId, sinceS: t });
      }
      const next = ev.random ? f?.nextOutageS(t + ev.durationS) : undefined;
      if (next !== undefined) this.events.push(next, END, { ...ev });
    } else if (ev.kind === 'site-back') {
      if (this.ledger.siteBack(ev.siteId, t) && f) f.siteOutageS += t - ev.sinceS;
    } else if (ev.kind === 'link-cut') {
      const cut = { from: ev.from, to: ev.to, sinceS: t, reason: `simulated cut of ${formatDuration(ev.durationS)}` };
      if (this.ledger.linkCut(cut, t)) {
        if (f) f.linkCuts++;
        this.events.push(t + ev.durationS, END, { kind: 'link-back', from: ev.from, to: ev.to });
      }
    } else {
      this.ledger.linkBack(ev.from, ev.to, t);
    }
  }
}

import type { GridEvent } from '../domain/power.ts';

/** What a grid event got: the load measured over its window against the baseline. */
export interface GridDelivery {
  readonly eventId: string;
  /** The load expected without the event (the plan's baseline), kWh over the window. */
  readonly baselineKwh: number;
  readonly askedKwh: number;
  /** The load measured over the window, kWh. */
  readonly actualKwh: number;
  /** baseline − actual, kWh (negative: more was drawn than the baseline). */
  readonly deliveredKwh: number;
  /** Delivered ÷ asked, in percent (100 when nothing was asked). */
  readonly deliveredPct: number;
  /** The highest load measured in the window, kW, and the most it went over the ceiling. */
  readonly peakKw: number;
  readonly overCeilingKw: number;
  /** Whether the plan's actions were in place by the deadline to comply. */
  readonly onTime: boolean;
  /** When the plan's actions took effect (undefined: none were needed). */
  readonly appliedAtS?: number;
  /**
   * When measuring began, if after the window's start (a server that took over the event mid-way):
   * the load before it is taken to be the first sample's.
   */
  readonly measuredFromS?: number;
}

interface Watch {
  readonly event: GridEvent;
  readonly baselineKwh: number;
  readonly askedKwh: number;
  kwh: number;
  lastS: number;
  lastKw: number;
  peakKw: number;
  overKw: number;
  appliedAtS: number | undefined;
  measuredFromS: number;
}

/**
 * Measures what grid events got, for the live service and the simulator alike: the driver samples
 * the event's level's load whenever it may have changed (the simulator at every start and end,
 * the live service at every tick), and the meter integrates it over the window (each sample's load
 * holds until the next). When a window is over, `finish` gives the delivery to record. Pure.
 */
export class GridMeter {
  private readonly watched = new Map<string, Watch>();

  /** Starts measuring an event (its plan gives the baseline and what was asked). */
  watch(event: GridEvent, baselineKwh: number, askedKwh: number, sinceS = event.startS): void {
    if (this.watched.has(event.id)) return;
    this.watched.set(event.id, {
      event,
      baselineKwh,
      askedKwh,
      kwh: 0,
      lastS: event.startS,
      lastKw: Number.NaN,
      peakKw: 0,
      overKw: 0,
      appliedAtS: undefined,
      measuredFromS: Math.max(event.startS, sinceS),
    });
  }

  /** The plan's actions took effect at `atS`. */
  applied(eventId: string, atS: number): void {
    const w = this.watched.get(eventId);
    if (w && w.appliedAtS === undefined) w.appliedAtS = atS;
  }

  /** Whether any event's window is open at `atS` (a driver samples only then). */
  activeAt(atS: number): boolean {
    for (const w of this.watched.values()) if (w.event.startS <= atS && atS <= w.event.endS) return true;
    return false;
  }

  /** Samples each open event's level at `nowS`: `loadKw(event)` is what its level draws now. */
  sample(nowS: number, loadKw: (event: GridEvent) => number): void {
    for (const w of this.watched.values()) {
      if (nowS < w.event.startS || w.lastS >= w.event.endS) continue;
      sampleOne(w, nowS, loadKw(w.event));
    }
  }

  /** The events whose windows are over by `nowS` (sampled to their end), measured; they are no longer watched. */
  finish(nowS: number, loadKw: (event: GridEvent) => number): GridDelivery[] {
    const out: GridDelivery[] = [];
    for (const [id, w] of this.watched) {
      if (nowS < w.event.endS) continue;
      if (w.lastS < w.event.endS) sampleOne(w, w.event.endS, loadKw(w.event));
      this.watched.delete(id);
      const deliveredKwh = w.baselineKwh - w.kwh;
      out.push({
        eventId: id,
        baselineKwh: w.baselineKwh,
        askedKwh: w.askedKwh,
        actualKwh: w.kwh,
        deliveredKwh,
        deliveredPct: w.askedKwh > 0 ? (100 * deliveredKwh) / w.askedKwh : 100,
        peakKw: w.peakKw,
        overCeilingKw: Math.max(0, w.overKw),
        onTime: w.appliedAtS === undefined || w.appliedAtS <= w.event.complyByS,
        ...(w.appliedAtS !== undefined ? { appliedAtS: w.appliedAtS } : {}),
        ...(w.measuredFromS > w.event.startS ? { measuredFromS: w.measuredFromS } : {}),
      });
    }
    return out;
  }
}

/** Adds the load held since the last sample, then holds `kw` from `nowS` on. */
function sampleOne(w: Watch, nowS: number, kw: number): void {
  const e = w.event;
  // Until the first sample, the load is taken to be the first sample's.
  const held = Number.isNaN(w.lastKw) ? kw : w.lastKw;
  const to = Math.min(nowS, e.endS);
  if (to > w.lastS) w.kwh += (held * (to - w.lastS)) / 3600;
  w.lastS = Math.max(w.lastS, to);
  if (nowS >= e.endS) return;
  w.lastKw = kw;
  w.peakKw = Math.max(w.peakKw, kw);
  const ceiling = e.ceiling.find((c) => c.fromS <= nowS && nowS < c.toS)?.kw;
  // Over the ceiling only once the deadline to comply has passed.
  if (ceiling !== undefined && nowS >= e.complyByS) w.overKw = Math.max(w.overKw, kw - ceiling);
}

import type { NetworkGauge } from '@suanli/engine';
import { type SimSummary, Track } from './metrics.ts';

/** What a run's time series give its summary. */
export interface SeriesResult {
  readonly series: SimSummary['series'];
  /** Utilization between the first and the last arrival (the drain tail left out), to the bucket. */
  readonly utilizationArrivals: number;
  /** Accelerator-seconds idle while jobs waited, and free on part-used nodes while jobs waited. */
  readonly idleWhileWaitingS: number;
  readonly fragmentedWhileWaitingS: number;
}

/**
 * A run's quantities over time, from its first event: accelerators busy (in all and per site),
 * jobs queued, accelerators idle and fragmented while jobs wait, and the engine's gauge after
 * each cycle (facility power, cost and carbon per hour).
 */
export class RunSeries {
  private readonly originS: number;
  private readonly busy: Track;
  private readonly siteBusy: Track[];
  private readonly queued: Track;
  private readonly idleWaiting: Track;
  private readonly fragmentedWaiting: Track;
  private readonly powerKw: Track;
  private readonly costFenPerHour: Track;
  private readonly carbonKgPerHour: Track;

  constructor(originS: number, bucketS: number, sites: number) {
    this.originS = originS;
    const track = () => new Track(originS, bucketS);
    this.busy = track();
    this.siteBusy = Array.from({ length: sites }, track);
    this.queued = track();
    this.idleWaiting = track();
    this.fragmentedWaiting = track();
    this.powerKw = track();
    this.costFenPerHour = track();
    this.carbonKgPerHour = track();
  }

  /** Accelerators busy now. */
  get busyNow(): number {
    return this.busy.value;
  }

  /** A run started (`delta` > 0) or ended on a site. */
  busyChange(t: number, siteIndex: number, delta: number): void {
    this.busy.add(t, delta);
    this.siteBusy[siteIndex]?.add(t, delta);
  }

  /** The queue changed: how many wait, and (while any wait) what is idle and fragmented. */
  queue(t: number, waiting: number, idle: number, fragmented: number): void {
    this.queued.set(t, waiting);
    this.idleWaiting.set(t, waiting > 0 ? idle : 0);
    this.fragmentedWaiting.set(t, waiting > 0 ? fragmented : 0);
  }

  gauge(t: number, g: NetworkGauge): void {
    this.powerKw.set(t, g.powerKw);
    this.costFenPerHour.set(t, g.costFenPerHour);
    this.carbonKgPerHour.set(t, g.carbonKgPerHour);
  }

  /** The series to `endS`, every one on the longest bucket any of them merged to. */
  finish(endS: number, lastArrivalS: number, capacity: number, sites: readonly SiteOf[]): SeriesResult {
    const startS = this.originS;
    // Every track's buckets are bucketS × 2^k: bring them all to the longest.
    const bucketS = Math.max(
      this.busy.bucketS,
      ...this.siteBusy.map((s) => s.bucketS),
      this.queued.bucketS,
      this.powerKw.bucketS,
      this.idleWaiting.bucketS,
    );
    const utilization = this.busy.means(endS, bucketS).map((v) => v / Math.max(1, capacity));
    // Buckets that start before the last arrival: the arrival window, to the bucket.
    const arrivalBuckets = utilization.slice(
      0,
      Math.max(1, Math.ceil((Math.max(lastArrivalS, startS) - startS) / bucketS)),
    );
    this.idleWaiting.advance(endS);
    this.fragmentedWaiting.advance(endS);
    return {
      series: {
        startS,
        bucketS,
        utilization,
        queued: this.queued.means(endS, bucketS),
        powerKw: this.powerKw.means(endS, bucketS),
        costFenPerHour: this.costFenPerHour.means(endS, bucketS),
        carbonKgPerHour: this.carbonKgPerHour.means(endS, bucketS),
        siteUtilization: Object.fromEntries(
          sites.map((s, i) => [
            s.siteId,
            (this.siteBusy[i]?.means(endS, bucketS) ?? []).map((v) => (s.accelerators > 0 ? v / s.accelerators : 0)),
          ]),
        ),
      },
      utilizationArrivals:
        arrivalBuckets.length > 0 ? arrivalBuckets.reduce((n, v) => n + v, 0) / arrivalBuckets.length : 0,
      idleWhileWaitingS: this.idleWaiting.total,
      fragmentedWhileWaitingS: this.fragmentedWaiting.total,
    };
  }
}

interface SiteOf {
  readonly siteId: string;
  readonly accelerators: number;
}

/** The series of a run with no event at all. */
export function emptySeries(bucketS: number, sites: readonly SiteOf[]): SeriesResult {
  return {
    series: {
      startS: 0,
      bucketS,
      utilization: [],
      queued: [],
      powerKw: [],
      costFenPerHour: [],
      carbonKgPerHour: [],
      siteUtilization: Object.fromEntries(sites.map((s) => [s.siteId, []])),
    },
    utilizationArrivals: 0,
    idleWhileWaitingS: 0,
    fragmentedWhileWaitingS: 0,
  };
}

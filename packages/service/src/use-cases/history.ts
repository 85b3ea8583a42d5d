import type { NetworkGauge, SiteGauge } from '@suanli/engine';
import { authorize, type Principal } from '../auth.ts';
import { SuanliError } from '../errors.ts';
import type { HistorySample } from '../ports/store.ts';
import type { UseCaseContext } from './context.ts';

/** Samples are written a step apart, each the mean of the gauges taken in it. */
export const HISTORY_STEP_S = 60;
/** Samples older than this are compacted into means of COMPACT_STEP_S. */
export const HISTORY_FINE_FOR_S = 2 * 86_400;
export const HISTORY_COMPACT_STEP_S = 900;
/** Samples older than this are deleted. */
export const HISTORY_KEEP_S = 366 * 86_400;
/** The most points one answer has; longer ranges are averaged into fewer, wider buckets. */
export const HISTORY_MAX_POINTS = 2000;
export const HISTORY_DEFAULT_POINTS = 360;

/** The network's scope, or a site's. */
export const NETWORK_SCOPE = 'network';
export const siteScope = (siteId: string) => `site:${siteId}`;

/** One point of a history as the API answers it. */
export interface HistoryPoint {
  readonly atS: number;
  readonly accelerators: number;
  readonly busy: number;
  readonly utilization: number;
  readonly queued: number;
  readonly running: number;
  readonly powerKw: number;
  readonly costFenPerHour: number;
  readonly carbonKgPerHour: number;
  /** Share of the power covered by contracted green supply (0..1). */
  readonly greenShare: number;
}

/** A range of history: to `toS` (default now) from `fromS` (default `spanS` earlier, default an hour). */
export interface HistoryRange {
  readonly fromS?: number;
  readonly toS?: number;
  readonly spanS?: number;
  readonly points?: number;
  readonly siteId?: string;
}

export interface HistoryAnswer {
  readonly scope: string;
  readonly fromS: number;
  readonly toS: number;
  /** Each point is the mean over this many seconds from its `atS`. */
  readonly bucketS: number;
  readonly points: readonly HistoryPoint[];
}

/** What the network draws, costs and emits now, with the same figures for each site. */
export interface GaugeView {
  readonly atS: number;
  readonly network: HistoryPoint & { readonly powerCapKw: number };
  readonly sites: readonly (HistoryPoint & { readonly siteId: string; readonly powerCapKw: number })[];
}

type Measured = Pick<
  NetworkGauge,
  'accelerators' | 'busy' | 'running' | 'powerKw' | 'costFenPerHour' | 'carbonKgPerHour' | 'greenKw'
> & {
  readonly queued: number;
};

function point(atS: number, m: Measured): HistoryPoint {
  return {
    atS,
    accelerators: m.accelerators,
    busy: m.busy,
    utilization: m.accelerators > 0 ? m.busy / m.accelerators : 0,
    queued: m.queued,
    running: m.running,
    powerKw: m.powerKw,
    costFenPerHour: Math.round(m.costFenPerHour),
    carbonKgPerHour: m.carbonKgPerHour,
    greenShare: m.powerKw > 0 ? m.greenKw / m.powerKw : 0,
  };
}

/** Running sums of the gauges taken in one step, per scope. */
class StepMeans {
  readonly atS: number;
  private n = 0;
  private readonly sums = new Map<string, Float64Array>();

  constructor(atS: number) {
    this.atS = atS;
  }

  add(g: NetworkGauge): void {
    this.n++;
    this.addTo(NETWORK_SCOPE, { ...g });
    for (const s of g.sites) this.addTo(siteScope(s.siteId), { ...s, queued: 0 });
  }

  samples(stepS: number): HistorySample[] {
    return [...this.sums].map(([scope, v]) => ({
      scope,
      atS: this.atS,
      stepS,
      accelerators: (v[0] ?? 0) / this.n,
      busy: (v[1] ?? 0) / this.n,
      queued: (v[2] ?? 0) / this.n,
      running: (v[3] ?? 0) / this.n,
      powerKw: (v[4] ?? 0) / this.n,
      costFenPerHour: (v[5] ?? 0) / this.n,
      carbonKgPerHour: (v[6] ?? 0) / this.n,
      greenKw: (v[7] ?? 0) / this.n,
    }));
  }

  private addTo(scope: string, m: Measured | (SiteGauge & { queued: number })): void {
    let v = this.sums.get(scope);
    if (!v) {
      v = new Float64Array(8);
      this.sums.set(scope, v);
    }
    const values = [
      m.accelerators,
      m.busy,
      m.queued,
      m.running,
      m.powerKw,
      m.costFenPerHour,
      m.carbonKgPerHour,
      m.greenKw,
    ];
    for (let i = 0; i < 8; i++) v[i] = (v[i] ?? 0) + (values[i] ?? 0);
  }
}

/**
 * The network's history: the scheduling process measures the ledger with the engine's gauge after
 * every cycle, writes each step's mean to the store, and compacts old samples; anyone who may read
 * the sites reads a range of it, averaged into at most a few thousand points.
 */
export class History {
  private readonly ctx: UseCaseContext;
  private readonly stepS: number;
  private current: StepMeans | undefined;
  private compactedAtS = Number.NEGATIVE_INFINITY;

  constructor(ctx: UseCaseContext, stepS = HISTORY_STEP_S) {
    if (!Number.isInteger(stepS) || stepS < 1 || HISTORY_COMPACT_STEP_S % stepS !== 0) {
      throw new SuanliError(
        'INVALID_FIELD',
        `history step ${stepS} s must be a whole divisor of ${HISTORY_COMPACT_STEP_S} s`,
      );
    }
    this.ctx = ctx;
    this.stepS = stepS;
  }

  /**
   * Takes the gauge now (the scheduler loop calls this after each cycle, on the leader only). When
   * a step has ended, its mean is written; once an hour, old samples are compacted.
   */
  async record(): Promise<void> {
    const nowS = this.ctx.clock.nowS();
    const g = await this.measure(nowS);
    const stepAtS = Math.floor(nowS / this.stepS) * this.stepS;
    const done = this.current && this.current.atS !== stepAtS ? this.current : undefined;
    if (!this.current || done) this.current = new StepMeans(stepAtS);
    this.current.add(g);
    if (done) await this.ctx.store.putHistory(done.samples(this.stepS));
    if (nowS - this.compactedAtS >= 3600) {
      this.compactedAtS = nowS;
      await this.ctx.store.compactHistory(nowS - HISTORY_FINE_FOR_S, HISTORY_COMPACT_STEP_S, nowS - HISTORY_KEEP_S);
    }
  }

  /** The engine's gauge of the ledger, current with the store. */
  private measure(nowS: number): Promise<NetworkGauge> {
    const live = this.ctx.live;
    return live.exclusive(async () => {
      await live.catchUp();
      return live.ledger.gauge(nowS);
    });
  }

  /** Writes the step in progress (at shutdown), so a restart loses no more than the last gauge. */
  async flush(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    if (c) await this.ctx.store.putHistory(c.samples(this.stepS));
  }

  /** The gauge now: the network and every site. */
  async now(actor: Principal): Promise<GaugeView> {
    authorize(actor, 'sites.read');
    const nowS = this.ctx.clock.nowS();
    const g = await this.measure(nowS);
    return {
      atS: nowS,
      network: { ...point(nowS, g), powerCapKw: g.powerCapKw },
      sites: g.sites.map((s) => ({ ...point(nowS, { ...s, queued: 0 }), siteId: s.siteId, powerCapKw: s.powerCapKw })),
    };
  }

  /**
   * The history of the network (or of `siteId`) over a range (its numbers checked at the
   * interface), in at most `points` buckets of a whole number of steps.
   */
  async read(range: HistoryRange, actor: Principal): Promise<HistoryAnswer> {
    authorize(actor, 'sites.read');
    const toS = range.toS ?? this.ctx.clock.nowS();
    const fromS = range.fromS ?? toS - (range.spanS ?? 3600);
    if (!(toS > fromS))
      throw new SuanliError('INVALID_FIELD', `history range: to (${toS}) must be after from (${fromS})`);
    if (range.siteId !== undefined && !this.ctx.network().sites.some((s) => s.id === range.siteId)) {
      throw new SuanliError('SITE_NOT_FOUND', `no site ${range.siteId}`);
    }
    const points = range.points ?? HISTORY_DEFAULT_POINTS;
    const bucketS = bucketFor(toS - fromS, points, this.stepS);
    const scope = range.siteId !== undefined ? siteScope(range.siteId) : NETWORK_SCOPE;
    const from = Math.floor(fromS / bucketS) * bucketS;
    const samples = await this.ctx.store.readHistory(scope, from, toS, bucketS);
    return {
      scope,
      fromS: from,
      toS,
      bucketS,
      points: samples.map((s) => point(s.atS, s)),
    };
  }
}

/**
 * The bucket for a span and a number of points: a whole number of steps, and beyond a compacted
 * step a whole number of those, so a bucket never splits a stored sample.
 */
export function bucketFor(spanS: number, points: number, stepS: number): number {
  const raw = Math.max(stepS, spanS / points);
  const unit = raw > HISTORY_COMPACT_STEP_S ? HISTORY_COMPACT_STEP_S : stepS;
  return Math.ceil(raw / unit) * unit;
}

import type { RecoverySummary } from './failures.ts';
import type { DemandResponseSummary } from './run-power.ts';
/** Average and percentiles of a set of values (nearest rank); zeros when the set is empty. */
import type { ServingSummary } from './run-services.ts';
import type { SettlementSummary } from './run-settlement.ts';

export interface Distribution {
  readonly avg: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface SiteUsage {
  readonly siteId: string;
  readonly accelerators: number;
  /** Busy accelerator-seconds ÷ (accelerators × span). */
  readonly utilization: number;
  readonly acceleratorHours: number;
  readonly energyKwh: number;
  readonly costCny: number;
  readonly carbonKg: number;
  readonly jobs: number;
}

export interface TenantUsage {
  readonly tenant: string;
  readonly sector: string;
  readonly jobs: number;
  readonly acceleratorHours: number;
  readonly avgJctS: number;
  /** Mean of JCT ÷ run time over the tenant's finished jobs (1 = never waited). */
  readonly avgSlowdown: number;
}

export interface SectorShare {
  readonly sector: string;
  readonly jobs: number;
  readonly acceleratorHours: number;
  /** Share of all accelerator-hours served. */
  readonly share: number;
  /** Share of all accelerator-hours asked for (the jobs' true demand). */
  readonly demandShare: number;
}

/** The figures of one simulation run; every unit is in its name. */
export interface SimSummary {
  readonly jobs: {
    readonly submitted: number;
    readonly finished: number;
    /** Jobs no site could ever run as specified (dropped). */
    readonly rejected: number;
    /** Jobs still queued or running when the workload ran out of events. */
    readonly unfinished: number;
    /** Why jobs were rejected: the engine's reason with figures replaced by #, and how many; most first. */
    readonly rejectedFor?: readonly { readonly reason: string; readonly jobs: number }[];
    readonly preemptions: number;
    /** Jobs that failed for good (a failure model's runs only). */
    readonly failed?: number;
  };
  /** Job completion time: submit to end. */
  readonly jctS: Distribution;
  /** Submit to first start. */
  readonly queueDelayS: Distribution;
  /** JCT ÷ run time (run time at least 10 s). */
  readonly slowdown: Distribution;
  /**
   * JCT less run time: every wait, before the first start and after each preemption (restarts
   * included). Queueing delay alone hides the waits of a preemptive policy.
   */
  readonly waitS: Distribution;
  /** Busy accelerator-seconds ÷ (all accelerators × span). */
  readonly utilization: number;
  /** The same between the first and the last arrival (the drain tail left out), to the series' bucket. */
  readonly utilizationArrivals: number;
  /** The most accelerators that jobs in the system (running or queued) asked for at one time. */
  readonly peakDemandAccelerators: number;
  /** All accelerators of the network: when peak demand stays below it, nothing ever had to queue. */
  readonly capacityAccelerators: number;
  /** Accelerators idle while at least one job waited, as a share of all accelerator-time. */
  readonly idleWhileWaiting: number;
  readonly idleWhileWaitingAcceleratorHours: number;
  /**
   * Of that idle time, the accelerators free on nodes partly in use (pools with a node size): a
   * job that waited could not use them whole. 0 without node sizes.
   */
  readonly fragmentedWhileWaiting: number;
  /** Accelerator-hours the jobs ran (busy compute, restarts and lost work included). */
  readonly acceleratorHours: number;
  /** Of those, restarts after preemption and work lost since the last checkpoint. */
  readonly wastedAcceleratorHours: number;
  /** Failures and recovery, when the run has a failure model. */
  readonly recovery?: RecoverySummary;
  /** Online services run alongside the jobs: SLO attainment, cost, energy and carbon per million requests. */
  readonly serving?: ServingSummary;
  /** Bills of the run's jobs by sector, and what sector programmes' vouchers paid (when metered). */
  readonly settlement?: SettlementSummary;
  /** Demand response, when the run had grid events. */
  readonly demandResponse?: DemandResponseSummary;
  readonly energyKwh: number;
  readonly costCny: number;
  readonly carbonKg: number;
  readonly transferGb: number;
  readonly deadlineJobs: number;
  readonly deadlineMisses: number;
  /** Jain's index over tenants of their mean run time ÷ JCT (1 = all tenants served alike). */
  readonly jainIndex: number;
  readonly tenants: readonly TenantUsage[];
  readonly sectors: readonly SectorShare[];
  readonly sites: readonly SiteUsage[];
  /** Over time, from `startS` in steps of `bucketS`: utilization of all and of each site, mean queue length, power, cost and carbon. */
  readonly series: {
    readonly startS: number;
    readonly bucketS: number;
    readonly utilization: readonly number[];
    readonly queued: readonly number[];
    /** The engine's gauge (as the live service's history): facility power, cost and carbon per hour. */
    readonly powerKw: readonly number[];
    readonly costFenPerHour: readonly number[];
    readonly carbonKgPerHour: readonly number[];
    readonly siteUtilization: Readonly<Record<string, readonly number[]>>;
  };
  readonly startS: number;
  readonly endS: number;
  /** Decision cycles run (calls of the engine's decide). */
  readonly cycles: number;
  /** Decisions the engine made in all cycles (a queued job gets one per cycle). */
  readonly decisions: number;
}

/** The average and nearest-rank percentiles of `values` (sorted in place). */
export function distribution(values: Float64Array): Distribution {
  const n = values.length;
  if (n === 0) return { avg: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  values.sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const at = (q: number) => values[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number;
  return { avg: sum / n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: values[n - 1] as number };
}

/** Jain's fairness index of non-negative values: 1 when all are equal, 1/n when one has everything. */
export function jainIndex(values: readonly number[]): number {
  if (values.length === 0) return 1;
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/** A growable column of numbers. */
export class Column {
  private data = new Float64Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  values(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** At most this many buckets per series; beyond it, neighbouring buckets are merged. */
const MAX_BUCKETS = 1000;

/**
 * The integral over time of a piecewise-constant amount, in buckets of time. The amount changes
 * only through `set`, which first integrates the old value up to the change.
 */
export class Track {
  value = 0;
  private lastS: number;
  private readonly originS: number;
  bucketS: number;
  sums: number[] = [];
  total = 0;

  constructor(originS: number, bucketS: number) {
    this.originS = originS;
    this.lastS = originS;
    this.bucketS = bucketS;
  }

  set(t: number, value: number): void {
    this.advance(t);
    this.value = value;
  }

  add(t: number, delta: number): void {
    this.set(t, this.value + delta);
  }

  /** Integrates the current value up to t. */
  advance(t: number): void {
    if (t <= this.lastS) return;
    const v = this.value;
    if (v !== 0) {
      this.total += v * (t - this.lastS);
      let from = this.lastS;
      while (from < t) {
        const b = Math.floor((from - this.originS) / this.bucketS);
        const bucketEnd = this.originS + (b + 1) * this.bucketS;
        const to = Math.min(t, bucketEnd);
        this.addTo(b, v * (to - from));
        from = to;
      }
    }
    this.lastS = t;
  }

  /** Bucket means over [originS, endS): the integral ÷ bucket length. */
  means(endS: number, bucketS: number): number[] {
    this.advance(endS);
    while (this.bucketS < bucketS) this.halve();
    const n = Math.max(1, Math.ceil((endS - this.originS) / this.bucketS));
    return Array.from({ length: n }, (_, i) => (this.sums[i] ?? 0) / this.bucketS);
  }

  private addTo(b: number, amount: number): void {
    while (b >= MAX_BUCKETS) {
      this.halve();
      b = Math.floor(b / 2);
    }
    while (this.sums.length <= b) this.sums.push(0);
    this.sums[b] = (this.sums[b] ?? 0) + amount;
  }

  /** Doubles the bucket length, merging neighbours. */
  private halve(): void {
    const merged: number[] = [];
    for (let i = 0; i < this.sums.length; i += 2) merged.push((this.sums[i] ?? 0) + (this.sums[i + 1] ?? 0));
    this.sums = merged;
    this.bucketS *= 2;
  }
}

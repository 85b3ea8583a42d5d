import type { PreparedNetwork } from '@suanli/engine';
import { type Column, distribution, jainIndex, type SimSummary } from './metrics.ts';
import { emptySeries, type RunSeries } from './run-series.ts';
import { type SectorFigures, type SiteFigures, type TenantFigures, usageRows } from './run-usage.ts';

/** What a simulated run counted as it went, to be summed up at its end. */
export interface RunTotals {
  readonly net: PreparedNetwork;
  readonly capacity: number;
  readonly bucketS: number;
  /** The first and last event's times (NaN: nothing happened), and the last arrival's. */
  readonly firstS: number;
  readonly lastS: number;
  readonly lastArrivalS: number;
  readonly jobs: {
    readonly arrived: number;
    readonly finished: number;
    readonly rejected: number;
    readonly failedForGood: number;
    readonly preemptions: number;
    readonly rejectedFor: ReadonlyMap<string, number>;
  };
  /** Per finished job: JCT, first start's delay, slowdown, wait. */
  readonly columns: { readonly jct: Column; readonly delay: Column; readonly slowdown: Column; readonly wait: Column };
  readonly acceleratorS: number;
  readonly wastedS: number;
  readonly peakDemand: number;
  readonly transferGb: number;
  readonly deadlineJobs: number;
  readonly deadlineMisses: number;
  readonly cycles: number;
  readonly evaluated: number;
  readonly siteFig: readonly SiteFigures[];
  readonly tenants: ReadonlyMap<string, TenantFigures>;
  readonly sectors: ReadonlyMap<string, SectorFigures>;
  readonly series: RunSeries | undefined;
  /** The summaries of the run's optional parts: recovery, serving, settlement, demand response. */
  readonly parts: Pick<SimSummary, 'recovery' | 'serving' | 'settlement' | 'demandResponse'>;
}

/** A run's summary from what it counted: distributions, utilization, usage rows, the series. */
export function runSummary(t: RunTotals): SimSummary {
  const { net, capacity, bucketS, firstS, lastS, lastArrivalS, columns, acceleratorS, wastedS, siteFig, series } = t;
  const { arrived, finished, rejected, failedForGood, preemptions, rejectedFor } = t.jobs;
  const { peakDemand, transferGb, deadlineJobs, deadlineMisses, tenants, sectors } = t;
  const startS = Number.isNaN(firstS) ? 0 : firstS;
  const endS = Math.max(lastS, startS);
  const spanS = Math.max(1, endS - startS);
  const { sites, tenantRows, sectorRows } = usageRows(net.sites, siteFig, tenants, sectors, spanS, acceleratorS);
  const sum = (k: 'energyKwh' | 'costCny' | 'carbonKg') => siteFig.reduce((n, s) => n + s[k], 0);
  const timed = series ? series.finish(endS, lastArrivalS, capacity, sites) : emptySeries(bucketS, sites);
  return {
    jobs: {
      submitted: arrived,
      finished,
      rejected,
      unfinished: arrived - finished - rejected - failedForGood,
      preemptions,
      ...(t.parts.recovery ? { failed: failedForGood } : {}),
      ...(rejectedFor.size > 0
        ? {
            rejectedFor: [...rejectedFor.entries()]
              .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
              .map(([reason, jobs]) => ({ reason, jobs })),
          }
        : {}),
    },
    jctS: distribution(columns.jct.values()),
    queueDelayS: distribution(columns.delay.values()),
    slowdown: distribution(columns.slowdown.values()),
    waitS: distribution(columns.wait.values()),
    utilization: acceleratorS / (Math.max(1, capacity) * spanS),
    utilizationArrivals: timed.utilizationArrivals,
    peakDemandAccelerators: peakDemand,
    capacityAccelerators: capacity,
    idleWhileWaiting: timed.idleWhileWaitingS / (Math.max(1, capacity) * spanS),
    idleWhileWaitingAcceleratorHours: timed.idleWhileWaitingS / 3600,
    fragmentedWhileWaiting: timed.fragmentedWhileWaitingS / (Math.max(1, capacity) * spanS),
    acceleratorHours: acceleratorS / 3600,
    wastedAcceleratorHours: wastedS / 3600,
    ...t.parts,
    energyKwh: sum('energyKwh'),
    costCny: sum('costCny'),
    carbonKg: sum('carbonKg'),
    transferGb,
    deadlineJobs,
    deadlineMisses,
    jainIndex: jainIndex(tenantRows.filter((r) => r.jobs > 0).map((r) => 1 / r.avgSlowdown)),
    tenants: tenantRows,
    sectors: sectorRows,
    sites,
    series: timed.series,
    startS,
    endS,
    cycles: t.cycles,
    decisions: t.evaluated,
  };
}

import type { RunResult, ScenarioReport } from '../scenario.ts';
import { NO_SECTOR } from '../workload/mapping.ts';
import { barChart, escapeXml, fmt, groupedBarChart, lineChart, PALETTE } from './svg.ts';

/** How a run is named in the report: its policy, and its what-if variant when not the baseline. */
export function runLabel(run: Pick<RunResult, 'policy' | 'variant'>): string {
  return run.variant === 'baseline' ? run.policy : `${run.policy} · ${run.variant}`;
}

interface Metric {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly value: (r: RunResult) => number;
  /** Whether the figure means anything for these runs (absent: always). */
  readonly applies?: (runs: readonly RunResult[]) => boolean;
}

/**
 * Whether a figure of cost or carbon means anything: more than one site (they differ by where jobs
 * run), or runs that differ by more than 1 % (hours, tariffs, what-ifs on one site).
 */
const byPlace =
  (value: (r: RunResult) => number) =>
  (runs: readonly RunResult[]): boolean => {
    if (runs.some((r) => r.summary.sites.length > 1)) return true;
    const values = runs.map(value);
    const hi = Math.max(...values);
    return hi > 0 && (hi - Math.min(...values)) / hi > 0.01;
  };

/** The figures compared side by side, each as a bar chart and a table column. */
export const METRICS: readonly Metric[] = [
  { id: 'jct-avg', title: 'Average JCT', unit: 'h', value: (r) => r.summary.jctS.avg / 3600 },
  { id: 'jct-p95', title: 'p95 JCT', unit: 'h', value: (r) => r.summary.jctS.p95 / 3600 },
  { id: 'jct-p99', title: 'p99 JCT', unit: 'h', value: (r) => r.summary.jctS.p99 / 3600 },
  { id: 'delay-avg', title: 'Average queueing delay', unit: 'h', value: (r) => r.summary.queueDelayS.avg / 3600 },
  { id: 'delay-p95', title: 'p95 queueing delay', unit: 'h', value: (r) => r.summary.queueDelayS.p95 / 3600 },
  { id: 'wait-avg', title: 'Average wait (JCT − run time)', unit: 'h', value: (r) => r.summary.waitS.avg / 3600 },
  { id: 'wait-p95', title: 'p95 wait (JCT − run time)', unit: 'h', value: (r) => r.summary.waitS.p95 / 3600 },
  {
    id: 'cost',
    title: 'Cost',
    unit: 'thousand CNY',
    value: (r) => r.summary.costCny / 1000,
    applies: byPlace((r) => r.summary.costCny),
  },
  { id: 'energy', title: 'Energy', unit: 'MWh', value: (r) => r.summary.energyKwh / 1000 },
  {
    id: 'carbon',
    title: 'Carbon',
    unit: 't CO2',
    value: (r) => r.summary.carbonKg / 1000,
    applies: byPlace((r) => r.summary.carbonKg),
  },
  { id: 'utilization', title: 'Utilization', unit: '%', value: (r) => r.summary.utilization * 100 },
  {
    id: 'utilization-arrivals',
    title: 'Utilization while jobs arrive',
    unit: '%',
    value: (r) => r.summary.utilizationArrivals * 100,
  },
  {
    id: 'idle-waiting',
    title: 'Idle while jobs wait',
    unit: '% of accelerator-time',
    value: (r) => r.summary.idleWhileWaiting * 100,
  },
  {
    id: 'fragmentation',
    title: 'Idle on part-used nodes while jobs wait',
    unit: '% of accelerator-time',
    value: (r) => r.summary.fragmentedWhileWaiting * 100,
    applies: (runs) => runs.some((r) => r.summary.fragmentedWhileWaiting > 0),
  },
  {
    id: 'data',
    title: 'Data moved',
    unit: 'TB',
    value: (r) => r.summary.transferGb / 1000,
    applies: byPlace((r) => r.summary.transferGb),
  },
  {
    id: 'deadline-misses',
    title: 'Deadline misses',
    unit: 'jobs',
    value: (r) => r.summary.deadlineMisses,
    applies: (runs) => runs.some((r) => r.summary.deadlineJobs > 0),
  },
  {
    id: 'jain',
    title: "Jain's fairness index (tenants)",
    unit: '0..1',
    value: (r) => r.summary.jainIndex,
    applies: (runs) => runs.some((r) => r.summary.tenants.length > 1),
  },
  { id: 'preemptions', title: 'Preemptions', unit: 'stops', value: (r) => r.summary.jobs.preemptions },
  {
    id: 'ettr',
    title: 'Effective training time ratio (ETTR)',
    unit: '%',
    value: (r) => (r.summary.recovery?.ettr ?? 1) * 100,
    applies: withFailures,
  },
  {
    id: 'lost',
    title: 'Work lost to failures and run again',
    unit: 'accelerator-hours',
    value: (r) => r.summary.recovery?.lostAcceleratorHours ?? 0,
    applies: withFailures,
  },
  {
    id: 'restarts',
    title: 'Restarts after failures',
    unit: 'runs',
    value: (r) => r.summary.recovery?.restarts ?? 0,
    applies: withFailures,
  },
  {
    id: 'failovers',
    title: 'Failovers to another site',
    unit: 'runs',
    value: (r) => r.summary.recovery?.failovers ?? 0,
    applies: withFailures,
  },
  {
    id: 'outages',
    title: 'Site outages',
    unit: 'outages',
    value: (r) => r.summary.recovery?.siteOutages ?? 0,
    applies: (runs) =>
      runs.some((r) => (r.summary.recovery?.siteOutages ?? 0) + (r.summary.recovery?.linkCuts ?? 0) > 0),
  },
  {
    id: 'serve-slo',
    title: 'Service requests within the SLO',
    unit: '%',
    value: (r) => (r.summary.serving?.sloAttainment ?? 1) * 100,
    applies: withServices,
  },
  {
    id: 'serve-cost',
    title: 'Serving cost per million requests',
    unit: 'CNY',
    value: (r) => r.summary.serving?.costCnyPerMillion ?? 0,
    applies: withServices,
  },
  {
    id: 'serve-carbon',
    title: 'Serving carbon per million requests',
    unit: 'kgCO2',
    value: (r) => r.summary.serving?.carbonKgPerMillion ?? 0,
    applies: withServices,
  },
  {
    id: 'billed',
    title: 'Billed (metered from the runs)',
    unit: 'thousand CNY',
    value: (r) => (r.summary.settlement?.chargeFen ?? 0) / 100_000,
    applies: (runs) => runs.some((r) => r.summary.settlement !== undefined),
  },
  {
    id: 'vouchers',
    title: 'Paid by programme vouchers',
    unit: 'thousand CNY',
    value: (r) => (r.summary.settlement?.programmes ?? []).reduce((n, p) => n + p.redeemedFen, 0) / 100_000,
    applies: (runs) => runs.some((r) => (r.summary.settlement?.programmes.length ?? 0) > 0),
  },
  {
    id: 'failed',
    title: 'Jobs failed for good',
    unit: 'jobs',
    value: (r) => r.summary.recovery?.failedForGood ?? 0,
    applies: withFailures,
  },
  {
    id: 'grid-events',
    title: 'Grid events',
    unit: 'events',
    value: (r) => r.summary.demandResponse?.events ?? 0,
    applies: withGridEvents,
  },
  {
    id: 'grid-delivered',
    title: 'Delivered of the reduction asked',
    unit: '% of kWh',
    value: (r) => r.summary.demandResponse?.deliveredPct ?? 100,
    applies: withGridEvents,
  },
  {
    id: 'grid-met',
    title: 'Grid events met on time and in full',
    unit: '% of events',
    value: (r) => r.summary.demandResponse?.eventsMetPct ?? 100,
    applies: withGridEvents,
  },
  {
    id: 'grid-lost',
    title: 'Work lost to grid events',
    unit: 'accelerator-hours',
    value: (r) => r.summary.demandResponse?.lostAcceleratorHours ?? 0,
    applies: withGridEvents,
  },
  {
    id: 'grid-cost',
    title: 'Cost of complying with grid events',
    unit: 'CNY',
    value: (r) => (r.summary.demandResponse?.costFen ?? 0) / 100,
    applies: withGridEvents,
  },
  {
    id: 'grid-delayed',
    title: 'Jobs delayed by grid events',
    unit: 'jobs',
    value: (r) => r.summary.demandResponse?.delayedJobs ?? 0,
    applies: withGridEvents,
  },
  {
    id: 'grid-deadlines',
    title: 'Deadlines broken by grid events',
    unit: 'jobs',
    value: (r) => r.summary.demandResponse?.deadlinesBroken ?? 0,
    applies: withGridEvents,
  },
];

/** Runs with services (the serving metrics mean nothing without them). */
function withServices(runs: readonly RunResult[]): boolean {
  return runs.some((r) => r.summary.serving !== undefined);
}

/** Runs with grid events (the demand-response metrics mean nothing without them). */
function withGridEvents(runs: readonly RunResult[]): boolean {
  return runs.some((r) => r.summary.demandResponse !== undefined);
}

/** Runs with a failure model (the recovery metrics mean nothing without one). */
function withFailures(runs: readonly RunResult[]): boolean {
  return runs.some((r) => r.summary.recovery !== undefined);
}

/** The metrics that mean something for these runs: cost and carbon need more than one site, fragmentation nodes, … */
export function metricsFor(runs: readonly RunResult[]): Metric[] {
  return METRICS.filter((m) => m.applies?.(runs) ?? true);
}

/** Whether the runs' jobs have sectors (a trace on a network without tenants has none: none is made up). */
export function hasSectors(runs: readonly RunResult[]): boolean {
  return runs.some((r) => r.summary.sectors.some((x) => x.sector !== NO_SECTOR));
}

/**
 * Said of a run where demand never exceeded capacity (nothing had to queue, so policies cannot
 * differ on waiting); undefined otherwise.
 */
export function nothingQueuedNote(run: RunResult): string | undefined {
  const { peakDemandAccelerators: peak, capacityAccelerators: capacity } = run.summary;
  if (peak > capacity) return undefined;
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  return `${runLabel(run)}: peak demand ${n(peak)} of ${n(capacity)} accelerators: nothing queued`;
}

function figure(id: string, caption: string, chart: string): string {
  return `<figure data-chart="${escapeXml(id)}"><figcaption>${escapeXml(caption)}</figcaption>${chart}</figure>`;
}

/**
 * The report as one self-contained HTML page: no scripts, no external files; inline SVG charts
 * that compare the runs side by side, and the figures in tables.
 */
export function renderHtml(report: ScenarioReport): string {
  const runs = report.runs;
  const labels = runs.map(runLabel);
  const s = report.scenario;
  // Up to a palette's worth of runs, a colour each; more (a sweep), a colour per policy, every bar labelled.
  const policies = [...new Set(runs.map((r) => r.policy))];
  const byPolicy = runs.length > PALETTE.length;
  const colours = runs.map((r, i) =>
    byPolicy
      ? (PALETTE[policies.indexOf(r.policy) % PALETTE.length] ?? '#6b7280')
      : (PALETTE[i % PALETTE.length] ?? ''),
  );
  const keys = byPolicy ? policies : labels;
  const legend = keys
    .map(
      (l, i) =>
        `<span class="key"><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${escapeXml(l)}</span>`,
    )
    .join('');

  const metrics = metricsFor(runs);
  const bars = metrics
    .map((m) => figure(m.id, `${m.title} (${m.unit})`, barChart(m.title, m.unit, labels, runs.map(m.value), colours)))
    .join('');

  const notes = runs.map(nothingQueuedNote).filter((n): n is string => n !== undefined);
  const stepS = Math.max(...runs.map((r) => r.summary.series.bucketS), 1);
  const resample = (values: readonly number[], from: number): number[] => {
    const k = Math.max(1, Math.round(stepS / from));
    const out: number[] = [];
    for (let i = 0; i < values.length; i += k) {
      const chunk = values.slice(i, i + k);
      out.push(chunk.reduce((a, b) => a + b, 0) / chunk.length);
    }
    return out;
  };
  const utilization = lineChart(
    'Utilization over time',
    '%',
    runs.map((r, i) => ({
      name: labels[i] ?? '',
      values: resample(r.summary.series.utilization, r.summary.series.bucketS).map((v) => v * 100),
    })),
    stepS,
  );
  const queued = lineChart(
    'Queued jobs over time',
    'jobs',
    runs.map((r, i) => ({
      name: labels[i] ?? '',
      values: resample(r.summary.series.queued, r.summary.series.bucketS),
    })),
    stepS,
  );
  const siteIds = runs[0]?.summary.sites.map((x) => x.siteId) ?? [];
  const sites = groupedBarChart(
    'Utilization per site',
    '%',
    siteIds,
    runs.map((r, i) => ({
      name: labels[i] ?? '',
      values: siteIds.map((id) => (r.summary.sites.find((x) => x.siteId === id)?.utilization ?? 0) * 100),
    })),
  );
  const withSectors = hasSectors(runs);
  const sectorNames = [...new Set(runs.flatMap((r) => r.summary.sectors.map((x) => x.sector)))].sort();
  const sectors = groupedBarChart(
    'Share of accelerator-hours per sector',
    '%',
    sectorNames,
    runs.map((r, i) => ({
      name: labels[i] ?? '',
      values: sectorNames.map((n) => (r.summary.sectors.find((x) => x.sector === n)?.share ?? 0) * 100),
    })),
  );

  const head = `<tr><th>run</th>${metrics.map((m) => `<th>${escapeXml(m.title)}<br><small>${escapeXml(m.unit)}</small></th>`).join('')}</tr>`;
  const rows = runs
    .map(
      (r, i) =>
        `<tr><th>${escapeXml(labels[i] ?? '')}<br><small>${escapeXml(r.profile)}, ${r.estimates} estimates, ${r.cycleS > 0 ? `cycle ${r.cycleS} s` : 'decides at every event'}</small></th>${metrics.map((m) => `<td>${fmt(m.value(r))}</td>`).join('')}</tr>`,
    )
    .join('');
  const jobsRows = runs
    .map(
      (r, i) =>
        `<tr><th>${escapeXml(labels[i] ?? '')}</th><td>${fmt(r.summary.jobs.submitted)}</td><td>${fmt(r.summary.jobs.finished)}</td><td>${fmt(r.summary.jobs.rejected)}</td><td>${fmt(r.summary.jobs.unfinished)}</td><td>${fmt(r.summary.acceleratorHours)}</td><td>${fmt(r.summary.wastedAcceleratorHours)}</td><td>${fmt(r.summary.cycles)}</td></tr>`,
    )
    .join('');
  const sectorRows = runs
    .flatMap((r, i) =>
      r.summary.sectors.map(
        (x) =>
          `<tr><th>${escapeXml(labels[i] ?? '')}</th><td>${escapeXml(x.sector)}</td><td>${fmt(x.jobs)}</td><td>${fmt(x.acceleratorHours)}</td><td>${fmt(x.share * 100)}</td><td>${fmt(x.demandShare * 100)}</td></tr>`,
      ),
    )
    .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Suanli simulation: ${escapeXml(s.name)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;color:#111827;margin:24px auto;max-width:1400px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#4b5563}.legend{margin:12px 0}.key{margin-right:16px;white-space:nowrap}
.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border-radius:2px}
.grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #e5e7eb;border-radius:6px;padding:8px;background:#fff}
figcaption{font-weight:600;font-size:13px;margin-bottom:4px}
table{border-collapse:collapse;font-size:12px;margin-top:8px}th,td{border:1px solid #e5e7eb;padding:4px 6px;text-align:right}
th{background:#f9fafb;font-weight:600}tr th:first-child{text-align:left}small{font-weight:400;color:#6b7280}
</style></head>
<body>
<h1>Suanli simulation: ${escapeXml(s.name)}</h1>
${s.description ? `<p>${escapeXml(s.description)}</p>` : ''}
<p class="meta">Network ${escapeXml(s.network)} · workload ${escapeXml(s.workload)} · seed ${s.seed} · decision cycle ${s.cycleS} s · preemption: checkpoint ${s.preemption.checkpointS > 0 ? `every ${s.preemption.checkpointS} s` : 'on stop'}, restart ${s.preemption.restartS} s</p>
<div class="legend">${legend}</div>
${notes.length > 0 ? `<ul class="meta">${notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>` : ''}
<h2>Policies side by side</h2>
<div class="grid">${bars}</div>
<h2>Over time</h2>
<div class="grid">${figure('utilization-over-time', 'Utilization over time (%)', utilization)}${figure('queued-over-time', 'Queued jobs over time', queued)}</div>
${
  siteIds.length > 1 || withSectors
    ? `<h2>Sites and sectors</h2>
<div class="grid">${siteIds.length > 1 ? figure('site-utilization', 'Utilization per site (%)', sites) : ''}${withSectors ? figure('sector-share', 'Share of accelerator-hours per sector (%)', sectors) : ''}</div>`
    : ''
}
<h2>Figures</h2>
<table>${head}${rows}</table>
<h2>Jobs</h2>
<table><tr><th>run</th><th>submitted</th><th>finished</th><th>rejected</th><th>unfinished</th><th>accelerator-hours</th><th>of which restarts and lost work</th><th>decision cycles</th></tr>${jobsRows}</table>
${
  withSectors
    ? `<h2>Sectors</h2>
<table><tr><th>run</th><th>sector</th><th>jobs</th><th>accelerator-hours</th><th>share served %</th><th>share asked %</th></tr>${sectorRows}</table>`
    : ''
}
</body></html>
`;
}

import { LineChart } from 'echarts/charts';
import { GridComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import type { EChartsCoreOption } from 'echarts/core';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useCallback, useMemo } from 'react';
import { api, type Job, type Site } from './api.ts';
import { JobList } from './JobList.tsx';
import { PALETTE } from './palette.ts';
import { siteHref } from './routes.ts';
import { useChart } from './use-chart.ts';
import { usePoll } from './use-poll.ts';

echarts.use([LineChart, GridComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export interface SiteLink {
  readonly a: string;
  readonly b: string;
  readonly latencyMs: number;
  readonly bandwidthGbps: number;
  readonly modelled: boolean;
  /** Cut: nothing is staged over it. */
  readonly cut?: { readonly sinceS: number; readonly reason: string };
}

/** One site: its power and grid, its pools, the price of its electricity by hour, its jobs and its links. */
export function SitePage({
  site,
  jobs,
  links,
  onSelectJob,
}: {
  site: Site;
  jobs: Job[];
  links: readonly SiteLink[];
  onSelectJob: (id: string) => void;
}) {
  const here = jobs.filter((j) => j.placement?.siteId === site.id);
  const mine = links.filter((l) => l.a === site.id || l.b === site.id);
  return (
    <section className="panel wide" aria-label={`Site ${site.id}`}>
      <h2>
        {site.name} {site.nameZh && <span lang="zh">{site.nameZh}</span>}
      </h2>
      <p className="muted">
        {site.province} · {site.kind} · PUE {site.pue} · power cap {site.powerCapMw} MW · grid {site.gridCarbonKgPerKwh}{' '}
        kgCO2/kWh · green power {Math.round(site.greenShare * 100)} % · {site.used.toLocaleString('en-US')} of{' '}
        {site.accelerators.toLocaleString('en-US')} accelerators in use
      </p>
      {site.outage && (
        <p role="status" className="out">
          <strong>Out of service</strong> since {new Date(site.outage.sinceS * 1000).toISOString().slice(0, 16)}Z (
          {site.outage.failureClass}): {site.outage.reason}. Nothing is placed here; its runs failed over by their
          recovery policies.
        </p>
      )}
      <table aria-label="Pools">
        <thead>
          <tr>
            <th scope="col">Pool</th>
            <th scope="col">Accelerator</th>
            <th scope="col">Count</th>
            <th scope="col">Per node</th>
            <th scope="col">In use</th>
          </tr>
        </thead>
        <tbody>
          {site.pools.map((p) => (
            <tr key={p.id}>
              <td className="mono">{p.id}</td>
              <td>{p.accelerator}</td>
              <td>{p.count.toLocaleString('en-US')}</td>
              <td>{p.nodeSize ?? '—'}</td>
              <td>{p.used.toLocaleString('en-US')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <PowerChart site={site} />
      <div className="site-curves">
        <TariffChart site={site} />
        <CarbonChart site={site} />
      </div>
      <h3>Jobs here</h3>
      <JobList jobs={here} onSelect={onSelectJob} />
      <h3>Links</h3>
      <table aria-label="Links">
        <thead>
          <tr>
            <th scope="col">To</th>
            <th scope="col">Latency (ms)</th>
            <th scope="col">Bandwidth (Gbit/s)</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {mine.map((l) => {
            const other = l.a === site.id ? l.b : l.a;
            return (
              <tr key={`${l.a}-${l.b}`}>
                <td>
                  <a href={siteHref(other)}>{other}</a>
                </td>
                <td>{l.latencyMs.toFixed(1)}</td>
                <td>{l.bandwidthGbps}</td>
                <td>
                  {l.modelled ? 'latency model' : 'network file'}
                  {l.cut && <strong className="out">cut: {l.cut.reason}</strong>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The site's power over the last day, from the server's history, against its cap. */
function PowerChart({ site }: { site: Site }) {
  const history = usePoll(
    useCallback(() => api.history('24h', site.id), [site.id]),
    60_000,
  );
  const points = history.data?.points ?? [];
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      color: PALETTE,
      title: { text: 'Power drawn over the last 24 h, against the cap', left: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      legend: { data: ['power drawn (MW)', 'power cap (MW)'], bottom: 0 },
      grid: { left: 56, right: 32, top: 60, bottom: 56 },
      xAxis: { type: 'time', axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', name: 'MW', min: 0 },
      series: [
        {
          name: 'power drawn (MW)',
          type: 'line',
          showSymbol: points.length < 3,
          data: points.map((p) => [p.atS * 1000, Math.round(p.powerKw) / 1000]),
        },
        {
          name: 'power cap (MW)',
          type: 'line',
          showSymbol: false,
          lineStyle: { type: 'dashed' },
          data:
            points.length > 0
              ? [
                  [(points[0]?.atS ?? 0) * 1000, site.powerCapMw],
                  [((points.at(-1)?.atS ?? 0) + (history.data?.bucketS ?? 0)) * 1000, site.powerCapMw],
                ]
              : [],
        },
      ],
    }),
    [points, site.powerCapMw, history.data?.bucketS],
  );
  const el = useChart(option);
  return (
    <div
      ref={el}
      className="chart site-chart"
      role="img"
      aria-label={`Power drawn at ${site.id} over the last day`}
      data-points={points.length}
    />
  );
}

/** A site's hourly profile (local hours 0..23) as a step line: one quantity, one unit, a title. */
function HourlyChart({
  site,
  title,
  unit,
  values,
  colour,
}: {
  site: Site;
  title: string;
  unit: string;
  values: readonly number[];
  colour: string;
}) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      title: { text: title, left: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 48, top: 60, bottom: 32 },
      xAxis: { type: 'category', name: 'hour', data: values.map((_, h) => String(h)) },
      yAxis: { type: 'value', name: unit, min: 0 },
      series: [{ type: 'line', step: 'end', name: unit, itemStyle: { color: colour }, data: values }],
    }),
    [title, unit, values, colour],
  );
  const el = useChart(option);
  return (
    <div
      ref={el}
      className="chart site-chart"
      role="img"
      aria-label={`${title} at ${site.id}`}
      data-hours={values.length}
    />
  );
}

/** The electricity price by local hour. */
function TariffChart({ site }: { site: Site }) {
  return (
    <HourlyChart
      site={site}
      title="Electricity price by local hour"
      unit="CNY/kWh"
      values={site.tariffCnyPerKwh}
      colour={PALETTE[0] as string}
    />
  );
}

/** The grid's carbon intensity by local hour (flat at the annual factor without an hourly profile). */
function CarbonChart({ site }: { site: Site }) {
  const values = useMemo(
    () => site.carbonKgPerKwhByHour ?? new Array<number>(24).fill(site.gridCarbonKgPerKwh),
    [site.carbonKgPerKwhByHour, site.gridCarbonKgPerKwh],
  );
  return (
    <HourlyChart
      site={site}
      title="Grid carbon intensity by local hour"
      unit="kgCO2/kWh"
      values={values}
      colour={PALETTE[2] as string}
    />
  );
}

import { LineChart } from 'echarts/charts';
import { GridComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import type { EChartsCoreOption } from 'echarts/core';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import type { Job, Site } from './api.ts';
import { JobList } from './JobList.tsx';
import { siteHref } from './routes.ts';
import { useChart } from './use-chart.ts';

echarts.use([LineChart, GridComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export interface SiteLink {
  readonly a: string;
  readonly b: string;
  readonly latencyMs: number;
  readonly bandwidthGbps: number;
  readonly modelled: boolean;
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
      <TariffChart site={site} />
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
                <td>{l.modelled ? 'latency model' : 'network file'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The electricity price by local hour: one unit on its one axis, with a title. */
function TariffChart({ site }: { site: Site }) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      title: { text: 'Electricity price by local hour', left: 0, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 48, top: 60, bottom: 32 },
      xAxis: { type: 'category', name: 'hour', data: site.tariffCnyPerKwh.map((_, h) => String(h)) },
      yAxis: { type: 'value', name: 'CNY/kWh' },
      series: [{ type: 'line', step: 'end', name: 'CNY/kWh', data: site.tariffCnyPerKwh }],
    }),
    [site.tariffCnyPerKwh],
  );
  const el = useChart(option);
  return (
    <div
      ref={el}
      className="chart site-chart"
      role="img"
      aria-label={`Electricity price by local hour at ${site.id}`}
      data-hours={site.tariffCnyPerKwh.length}
    />
  );
}

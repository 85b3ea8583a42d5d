import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import type { Job, Site } from './api.ts';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

interface Sample {
  readonly atMs: number;
  readonly utilization: number;
  readonly queued: number;
}

/** One ECharts instance on a div, disposed with it. */
function useChart(option: echarts.EChartsCoreOption) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current);
    chart.current = c;
    return () => c.dispose();
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return el;
}

/**
 * Utilization and queue depth since the page opened (one point per poll), and the estimated
 * energy, cost and carbon of the jobs placed, by site.
 */
export function Trends({ sites, jobs }: { sites: Site[]; jobs: Job[] }) {
  const [samples, setSamples] = useState<Sample[]>([]);
  useEffect(() => {
    if (sites.length === 0) return;
    const total = sites.reduce((n, s) => n + s.accelerators, 0);
    const used = sites.reduce((n, s) => n + s.used, 0);
    const queued = jobs.filter((j) => j.state === 'pending').length;
    setSamples((s) => [...s.slice(-299), { atMs: Date.now(), utilization: total > 0 ? used / total : 0, queued }]);
  }, [sites, jobs]);

  const over = useChart({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['utilization %', 'queued jobs'] },
    grid: { left: 48, right: 48, top: 32, bottom: 28 },
    xAxis: { type: 'time' },
    yAxis: [
      { type: 'value', name: '%', max: 100 },
      { type: 'value', name: 'jobs', minInterval: 1 },
    ],
    series: [
      {
        name: 'utilization %',
        type: 'line',
        showSymbol: false,
        data: samples.map((s) => [s.atMs, Math.round(s.utilization * 1000) / 10]),
      },
      {
        name: 'queued jobs',
        type: 'line',
        yAxisIndex: 1,
        showSymbol: false,
        data: samples.map((s) => [s.atMs, s.queued]),
      },
    ],
  });

  const bySite = new Map<string, { cost: number; energy: number; carbon: number }>();
  for (const j of jobs) {
    const p = j.placement;
    if (!p) continue;
    const f = bySite.get(p.siteId) ?? { cost: 0, energy: 0, carbon: 0 };
    f.cost += p.estimate.costCny;
    f.energy += p.estimate.energyKwh;
    f.carbon += p.estimate.carbonKg;
    bySite.set(p.siteId, f);
  }
  const ids = [...bySite.keys()].sort();
  const spend = useChart({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['cost CNY', 'energy kWh', 'carbon kg'] },
    grid: { left: 56, right: 16, top: 32, bottom: 48 },
    xAxis: { type: 'category', data: ids, axisLabel: { rotate: 30 } },
    yAxis: { type: 'value' },
    series: [
      { name: 'cost CNY', type: 'bar', data: ids.map((id) => Math.round(bySite.get(id)?.cost ?? 0)) },
      { name: 'energy kWh', type: 'bar', data: ids.map((id) => Math.round(bySite.get(id)?.energy ?? 0)) },
      { name: 'carbon kg', type: 'bar', data: ids.map((id) => Math.round(bySite.get(id)?.carbon ?? 0)) },
    ],
  });

  return (
    <div className="trends">
      <div
        ref={over}
        className="chart"
        role="img"
        aria-label="Utilization and queue depth over time"
        data-points={samples.length}
      />
      <div
        ref={spend}
        className="chart"
        role="img"
        aria-label="Energy, cost and carbon of placed jobs by site"
        data-sites={ids.length}
      />
    </div>
  );
}

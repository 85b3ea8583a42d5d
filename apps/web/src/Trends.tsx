import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useState } from 'react';
import type { Job, Site } from './api.ts';
import { useChart } from './use-chart.ts';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

interface Sample {
  readonly atMs: number;
  readonly utilization: number;
  readonly queued: number;
}

/**
 * Utilization and queue depth since the page opened (one point per poll), and the estimated
 * energy, cost and carbon of the jobs placed, by site and by the hour of day their runs start.
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
  // The same by the hour of day (UTC+8) the runs start in: when the network spends.
  const byHour = Array.from({ length: 24 }, () => ({ cost: 0, energy: 0, carbon: 0 }));
  for (const j of jobs) {
    const p = j.placement;
    if (!p) continue;
    const h = byHour[Math.floor(((((p.estimate.startS + 8 * 3600) % 86400) + 86400) % 86400) / 3600)];
    if (!h) continue;
    h.cost += p.estimate.costCny;
    h.energy += p.estimate.energyKwh;
    h.carbon += p.estimate.carbonKg;
  }
  const hourly = useChart({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['cost CNY', 'energy kWh', 'carbon kg'] },
    grid: { left: 56, right: 16, top: 32, bottom: 28 },
    xAxis: { type: 'category', data: byHour.map((_, i) => `${i}:00`) },
    yAxis: { type: 'value' },
    series: [
      { name: 'cost CNY', type: 'bar', stack: 'x', data: byHour.map((h) => Math.round(h.cost)) },
      { name: 'energy kWh', type: 'bar', data: byHour.map((h) => Math.round(h.energy)) },
      { name: 'carbon kg', type: 'bar', data: byHour.map((h) => Math.round(h.carbon)) },
    ],
  });
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
      <div
        ref={hourly}
        className="chart"
        role="img"
        aria-label="Energy, cost and carbon of placed jobs by hour of day"
        data-jobs={jobs.filter((j) => j.placement).length}
      />
    </div>
  );
}

import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useState } from 'react';
import type { Job, Site } from './api.ts';
import { useChart } from './use-chart.ts';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

/** Okabe–Ito: told apart with every common colour-vision deficiency. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];

/** The axes of the spend charts: one quantity and one unit each. */
const SPEND_AXES = ['cost (CNY)', 'energy (kWh)', 'carbon (kgCO2)'] as const;

/** One measure of a small-multiples chart: its name with its unit, and a value per category. */
interface Measure {
  readonly label: string;
  readonly values: readonly number[];
}

/**
 * Cost, energy and carbon side by side, each on its own axis with its own unit (never three units
 * on one axis), under one title; tooltips per bar.
 */
function smallMultiples(title: string, categories: readonly string[], measures: readonly Measure[], rotate = 0) {
  const n = measures.length;
  return {
    animation: false,
    color: PALETTE,
    title: { text: title, left: 0, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    grid: measures.map((_, i) => ({
      left: `${(100 / n) * i + 7}%`,
      width: `${100 / n - 10}%`,
      top: 68,
      bottom: rotate ? 56 : 32,
    })),
    xAxis: measures.map((_, i) => ({
      type: 'category',
      gridIndex: i,
      data: categories,
      axisLabel: { rotate, hideOverlap: true },
    })),
    yAxis: measures.map((m, i) => ({ type: 'value', gridIndex: i, name: m.label, nameTextStyle: { align: 'left' } })),
    series: measures.map((m, i) => ({
      name: m.label,
      type: 'bar',
      xAxisIndex: i,
      yAxisIndex: i,
      itemStyle: { color: PALETTE[i] },
      data: m.values,
    })),
  };
}

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
    color: PALETTE,
    title: { text: 'Utilization and queue depth since the page opened', left: 0, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: { data: ['utilization %', 'queued jobs'], bottom: 0 },
    grid: { left: 48, right: 48, top: 68, bottom: 48 },
    xAxis: { type: 'time', name: 'time' },
    yAxis: [
      { type: 'value', name: 'utilization %', max: 100 },
      { type: 'value', name: 'queued jobs', minInterval: 1 },
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
  const hourly = useChart(
    smallMultiples(
      'Placed jobs by the hour their runs start (UTC+8)',
      byHour.map((_, i) => `${i}:00`),
      [
        { label: SPEND_AXES[0], values: byHour.map((h) => Math.round(h.cost)) },
        { label: SPEND_AXES[1], values: byHour.map((h) => Math.round(h.energy)) },
        { label: SPEND_AXES[2], values: byHour.map((h) => Math.round(h.carbon)) },
      ],
    ),
  );
  const spend = useChart(
    smallMultiples(
      'Placed jobs by site',
      ids,
      [
        { label: SPEND_AXES[0], values: ids.map((id) => Math.round(bySite.get(id)?.cost ?? 0)) },
        { label: SPEND_AXES[1], values: ids.map((id) => Math.round(bySite.get(id)?.energy ?? 0)) },
        { label: SPEND_AXES[2], values: ids.map((id) => Math.round(bySite.get(id)?.carbon ?? 0)) },
      ],
      30,
    ),
  );

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
        className="chart multiples"
        data-axes={SPEND_AXES.join('|')}
        role="img"
        aria-label="Energy, cost and carbon of placed jobs by site"
        data-sites={ids.length}
      />
      <div
        ref={hourly}
        className="chart multiples"
        data-axes={SPEND_AXES.join('|')}
        role="img"
        aria-label="Energy, cost and carbon of placed jobs by hour of day"
        data-jobs={jobs.filter((j) => j.placement).length}
      />
    </div>
  );
}

import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Job } from './api.ts';
import { PALETTE } from './palette.ts';
import { useChart } from './use-chart.ts';

echarts.use([BarChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

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

/** The estimated energy, cost and carbon of the jobs placed, by site and by the hour of day their runs start. */
export function Trends({ jobs }: { jobs: Job[] }) {
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

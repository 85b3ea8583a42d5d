import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useCallback, useMemo } from 'react';
import { api, type HistoryPoint } from './api.ts';
import { PALETTE } from './palette.ts';
import { RANGES, type Range } from './routes.ts';
import { useChart } from './use-chart.ts';
import { usePoll } from './use-poll.ts';

echarts.use([LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const LABEL: Readonly<Record<Range, string>> = { '1h': '1 h', '24h': '24 h', '7d': '7 d' };

/** The measures of the history drawn side by side, each on its own axis with its own unit. */
const MEASURES = [
  { label: 'power (MW)', value: (p: HistoryPoint) => p.powerKw / 1000 },
  { label: 'cost (CNY/h)', value: (p: HistoryPoint) => p.costFenPerHour / 100 },
  { label: 'carbon (tCO2/h)', value: (p: HistoryPoint) => p.carbonKgPerHour / 1000 },
] as const;

const at = (p: HistoryPoint) => p.atS * 1000;
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Utilization and queue over time, on two axes (per cent, jobs), from the server's history. */
export function utilizationOption(points: readonly HistoryPoint[], title: string, fontSize = 13) {
  return {
    animation: false,
    color: PALETTE,
    textStyle: { fontSize },
    title: { text: title, left: 0, textStyle: { fontSize: fontSize + 1 } },
    tooltip: { trigger: 'axis' },
    legend: { data: ['utilization %', 'queued jobs'], bottom: 0, textStyle: { fontSize } },
    grid: { left: 56, right: 56, top: 56 + fontSize, bottom: 40 + fontSize },
    xAxis: { type: 'time', axisLabel: { fontSize, hideOverlap: true } },
    yAxis: [
      { type: 'value', name: 'utilization %', max: 100, axisLabel: { fontSize }, nameTextStyle: { fontSize } },
      { type: 'value', name: 'queued jobs', minInterval: 1, axisLabel: { fontSize }, nameTextStyle: { fontSize } },
    ],
    series: [
      {
        name: 'utilization %',
        type: 'line',
        showSymbol: points.length < 3,
        data: points.map((p) => [at(p), round(p.utilization * 100, 1)]),
      },
      {
        name: 'queued jobs',
        type: 'line',
        yAxisIndex: 1,
        showSymbol: points.length < 3,
        data: points.map((p) => [at(p), round(p.queued, 1)]),
      },
    ],
  };
}

/** Power, cost and carbon over time as small multiples: one quantity and one unit per axis. */
function spendOption(points: readonly HistoryPoint[]) {
  const n = MEASURES.length;
  return {
    animation: false,
    title: { text: 'Power drawn, cost and carbon per hour', left: 0, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    grid: MEASURES.map((_, i) => ({ left: `${(100 / n) * i + 6}%`, width: `${100 / n - 9}%`, top: 68, bottom: 32 })),
    xAxis: MEASURES.map((_, i) => ({ type: 'time', gridIndex: i, axisLabel: { hideOverlap: true } })),
    yAxis: MEASURES.map((m, i) => ({ type: 'value', gridIndex: i, name: m.label, scale: true })),
    series: MEASURES.map((m, i) => ({
      name: m.label,
      type: 'line',
      xAxisIndex: i,
      yAxisIndex: i,
      showSymbol: points.length < 3,
      itemStyle: { color: PALETTE[i] },
      data: points.map((p) => [at(p), round(m.value(p), 3)]),
    })),
  };
}

/**
 * The network over the chosen range, as the server recorded it (also before this page was opened):
 * utilization and queue, power, cost and carbon. The range is in the address, so it survives a reload.
 */
export function HistoryCharts({ range, onRange }: { range: Range; onRange: (r: Range) => void }) {
  const history = usePoll(
    useCallback(() => api.history(range), [range]),
    range === '1h' ? 10_000 : 60_000,
  );
  const points = history.data?.points ?? [];
  const utilization = useChart(
    useMemo(() => utilizationOption(points, `Utilization and queue, last ${LABEL[range]}`), [points, range]),
  );
  const spend = useChart(useMemo(() => spendOption(points), [points]));
  return (
    <div className="history">
      <fieldset className="range">
        <legend>Range</legend>
        {RANGES.map((r) => (
          <button key={r} type="button" aria-pressed={r === range} onClick={() => onRange(r)}>
            {LABEL[r]}
          </button>
        ))}
        {history.data && (
          <span className="muted">
            {' '}
            {points.length} points, each the mean of{' '}
            {history.data.bucketS < 60 ? `${history.data.bucketS} s` : `${Math.round(history.data.bucketS / 60)} min`}
          </span>
        )}
      </fieldset>
      {history.error && <p role="alert">{history.error}</p>}
      <div
        ref={utilization}
        className="chart"
        role="img"
        aria-label="Utilization and queue depth over time"
        data-points={points.length}
        data-first-at={points[0]?.atS ?? ''}
        data-range={range}
      />
      <div
        ref={spend}
        className="chart multiples"
        role="img"
        aria-label="Power, cost and carbon over time"
        data-axes={MEASURES.map((m) => m.label).join('|')}
      />
    </div>
  );
}

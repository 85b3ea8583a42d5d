import type * as echarts from 'echarts/core';
import { init } from 'echarts/core';
import { useEffect, useRef } from 'react';

const hasSize = (e: HTMLElement) => e.clientWidth > 0 && e.clientHeight > 0;

/**
 * One ECharts instance on a div, resized with its box and disposed with it. An option given while
 * the box has no size (hidden) waits until it has one: ECharts cannot lay out a map in no space.
 */
export function useChart(option: echarts.EChartsCoreOption) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const pending = useRef<echarts.EChartsCoreOption | null>(null);
  useEffect(() => {
    const box = el.current;
    if (!box) return;
    const c = init(box);
    chart.current = c;
    // Follows its box, not only the window: a grid cell that grows or shrinks resizes the chart.
    const observer = new ResizeObserver(() => {
      if (!hasSize(box)) return;
      c.resize();
      if (pending.current) {
        c.setOption(pending.current);
        pending.current = null;
      }
    });
    observer.observe(box);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const c = chart.current;
    const box = el.current;
    if (!c || !box) return;
    if (!hasSize(box)) {
      pending.current = option;
      return;
    }
    if (c.getWidth() !== box.clientWidth || c.getHeight() !== box.clientHeight) c.resize();
    // Merged, not replaced: the map keeps the zoom and pan a user gave it.
    c.setOption(option);
    pending.current = null;
  }, [option]);
  return el;
}

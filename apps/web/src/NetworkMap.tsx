import chinaGeo from 'virtual:china-geo';
import { LinesChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Site } from './api.ts';
import { useChart } from './use-chart.ts';

echarts.use([LinesChart, ScatterChart, GeoComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);
echarts.registerMap('suanli-china', chinaGeo as Parameters<typeof echarts.registerMap>[1]);

export type ColourBy = 'utilization' | 'carbon';

const COLOURING: Readonly<
  Record<ColourBy, { value: (s: Site) => number; min: number; max: number; text: [string, string] }>
> = {
  utilization: { value: (s) => s.utilization, min: 0, max: 1, text: ['busy', 'idle'] },
  carbon: { value: (s) => s.gridCarbonKgPerKwh, min: 0, max: 0.9, text: ['high carbon', 'low carbon'] },
};

/** The network on a map of China: one dot per site, sized by accelerators, coloured by utilization or grid carbon. */
/** Up to this many sites the map names them; beyond, names would only slow zooming and panning. */
const LABELLED_SITES = 60;

export interface MapLink {
  readonly a: string;
  readonly b: string;
  readonly latencyMs: number;
}

export function NetworkMap({
  sites,
  links = [],
  colourBy = 'utilization',
}: {
  sites: Site[];
  links?: readonly MapLink[];
  colourBy?: ColourBy;
}) {
  const at = new Map(sites.map((s) => [s.id, [s.lon, s.lat] as [number, number]]));
  const max = Math.max(1, ...sites.map((s) => s.accelerators));
  const colouring = COLOURING[colourBy];
  const el = useChart({
    geo: {
      map: 'suanli-china',
      roam: true,
      boundingCoords: [
        [73, 54],
        [135, 18],
      ],
      itemStyle: { areaColor: '#eef2f6', borderColor: '#b8c2cc' },
      emphasis: { disabled: true },
      regions: chinaGeo.features
        .filter((f) => f.properties.china)
        .map((f) => ({ name: f.properties.name, itemStyle: { areaColor: '#dfe8f1', borderColor: '#7d8fa3' } })),
      tooltip: { show: false },
    },
    tooltip: {
      trigger: 'item',
      formatter: (p: { data: { site: Site } }) => {
        const s = p.data.site;
        const pools = s.pools.map((x) => `${x.accelerator} ${x.used}/${x.count}`).join('<br>');
        return `<b>${s.name}</b> ${s.nameZh ?? ''}<br>${Math.round(s.utilization * 100)}% used of ${s.accelerators} accelerators<br>PUE ${s.pue}, ${s.gridCarbonKgPerKwh} kgCO2/kWh<br>${pools}`;
      },
    },
    visualMap: {
      min: colouring.min,
      max: colouring.max,
      dimension: 2,
      calculable: false,
      text: colouring.text,
      inRange: { color: ['#2f9e44', '#f08c00', '#e03131'] },
      left: 10,
      bottom: 10,
    },
    series: [
      {
        type: 'lines',
        coordinateSystem: 'geo',
        silent: true,
        lineStyle: { color: '#94a3b8', width: 1, opacity: 0.6 },
        data: links.flatMap((l) => {
          const a = at.get(l.a);
          const b = at.get(l.b);
          return a && b ? [{ coords: [a, b] }] : [];
        }),
      },
      {
        type: 'scatter',
        coordinateSystem: 'geo',
        data: sites.map((s) => ({
          name: s.id,
          value: [s.lon, s.lat, colouring.value(s)],
          symbolSize: 8 + 28 * Math.sqrt(s.accelerators / max),
          site: s,
        })),
        // Names only while they can be read; past that they cost more to lay out than they tell.
        label: {
          show: sites.length <= LABELLED_SITES,
          formatter: '{b}',
          position: 'right',
          fontSize: 11,
          color: '#334',
        },
        itemStyle: { borderColor: '#fff', borderWidth: 1, opacity: 0.9 },
      },
    ],
  });

  return (
    <div
      ref={el}
      className="map"
      role="img"
      aria-label={`Map of ${sites.length} sites, coloured by ${colourBy}`}
      data-sites={sites.length}
      data-colour-by={colourBy}
      data-links={links.length}
    />
  );
}

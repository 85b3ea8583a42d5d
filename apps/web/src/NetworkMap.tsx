import chinaGeo from 'virtual:china-geo';
import { EffectScatterChart, LinesChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GraphicComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import type { Site } from './api.ts';
import { SEQUENTIAL } from './palette.ts';
import { useChart } from './use-chart.ts';

echarts.use([
  LinesChart,
  ScatterChart,
  EffectScatterChart,
  GeoComponent,
  GraphicComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);
echarts.registerMap('suanli-china', chinaGeo as Parameters<typeof echarts.registerMap>[1]);

export const COLOUR_BY = ['utilization', 'carbon', 'price'] as const;
export type ColourBy = (typeof COLOUR_BY)[number];

/** The site's value of an hourly profile in its local hour at `atS`. */
function localHourValue(values: readonly number[] | undefined, utcOffsetH: number, atS: number): number | undefined {
  if (values?.length !== 24) return undefined;
  const h = Math.floor((((atS / 3600 + utcOffsetH) % 24) + 24) % 24);
  return values[h];
}

const COLOURING: Readonly<
  Record<ColourBy, { value: (s: Site, atS: number) => number; min: number; max: number; text: [string, string] }>
> = {
  utilization: { value: (s) => s.utilization, min: 0, max: 1, text: ['busy', 'idle'] },
  carbon: {
    value: (s, atS) => localHourValue(s.carbonKgPerKwhByHour, s.utcOffsetH, atS) ?? s.gridCarbonKgPerKwh,
    min: 0,
    max: 0.9,
    text: ['high carbon (kgCO2/kWh)', 'low carbon'],
  },
  price: {
    value: (s, atS) => localHourValue(s.tariffCnyPerKwh, s.utcOffsetH, atS) ?? 0,
    min: 0.1,
    max: 1.2,
    text: ['dear (CNY/kWh)', 'cheap'],
  },
};

/** The mainland frame: sites outside it are drawn in an inset (Singapore, for one). */
const FRAME = { west: 73, east: 135, south: 18, north: 54 };
const inFrame = (s: Site) => s.lon >= FRAME.west && s.lon <= FRAME.east && s.lat >= FRAME.south && s.lat <= FRAME.north;

type LabelPosition = 'right' | 'left' | 'top' | 'bottom';

/**
 * Where each site's name goes so that names do not cover each other or other sites: the largest
 * sites choose first, each the first of right, left, above, below whose box (in degrees, at about
 * 0.62° a character and 1.3° a line) is free. Boxes are approximate, so it is good, not perfect.
 */
export function labelPositions(
  sites: readonly Pick<Site, 'id' | 'lon' | 'lat' | 'accelerators'>[],
): Map<string, LabelPosition> {
  const CHAR = 0.62;
  const LINE = 1.3;
  const GAP = 0.7;
  type Box = { x0: number; x1: number; y0: number; y1: number };
  const taken: Box[] = sites.map((s) => ({ x0: s.lon - 0.6, x1: s.lon + 0.6, y0: s.lat - 0.6, y1: s.lat + 0.6 }));
  const hits = (a: Box) => taken.some((b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1);
  const out = new Map<string, LabelPosition>();
  for (const s of [...sites].sort((a, b) => b.accelerators - a.accelerators || a.id.localeCompare(b.id))) {
    const w = s.id.length * CHAR;
    const boxes: Record<LabelPosition, Box> = {
      right: { x0: s.lon + GAP, x1: s.lon + GAP + w, y0: s.lat - LINE / 2, y1: s.lat + LINE / 2 },
      left: { x0: s.lon - GAP - w, x1: s.lon - GAP, y0: s.lat - LINE / 2, y1: s.lat + LINE / 2 },
      top: { x0: s.lon - w / 2, x1: s.lon + w / 2, y0: s.lat + GAP, y1: s.lat + GAP + LINE },
      bottom: { x0: s.lon - w / 2, x1: s.lon + w / 2, y0: s.lat - GAP - LINE, y1: s.lat - GAP },
    };
    const position = (['right', 'left', 'top', 'bottom'] as const).find((p) => !hits(boxes[p])) ?? 'right';
    taken.push(boxes[position]);
    out.set(s.id, position);
  }
  return out;
}

/** Sites out of service and cut links: black, apart from every colour of the scales. */
const OUT_COLOUR = '#000000';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Up to this many sites the map names them; beyond, names would only slow zooming and panning. */
const LABELLED_SITES = 60;

export interface MapLink {
  readonly a: string;
  readonly b: string;
  readonly latencyMs: number;
  /** Data in flight over the link now (GB), drawn as its width. */
  readonly trafficGb?: number;
  /** Cut: nothing is staged over it (drawn dashed). */
  readonly cut?: { readonly reason: string };
}

/** Data moving between two sites: drawn in motion from source to destination. */
export interface MapFlow {
  readonly from: string;
  readonly to: string;
  readonly gb: number;
}

/**
 * The network on a map of China: one dot per site, sized by accelerators and coloured by
 * utilization, grid carbon or electricity price in the site's current hour; links with their
 * traffic; data transfers in motion; new placements pulsing. Sites beyond the mainland frame
 * are drawn in an inset at the lower right.
 */
export function NetworkMap({
  sites,
  links = [],
  flows = [],
  placing = [],
  colourBy = 'utilization',
  atS = Date.now() / 1000,
  fontSize = 11,
  roam = true,
}: {
  sites: Site[];
  links?: readonly MapLink[];
  flows?: readonly MapFlow[];
  /** Sites that took a placement just now. */
  placing?: readonly string[];
  colourBy?: ColourBy;
  atS?: number;
  fontSize?: number;
  roam?: boolean;
}) {
  const hourS = Math.floor(atS / 3600) * 3600;
  const outsideIds = sites
    .filter((s) => !inFrame(s))
    .map((s) => s.id)
    .join(' ');
  const option = useMemo(() => {
    const inside = sites.filter(inFrame);
    const outside = sites.filter((s) => !inFrame(s));
    const at = new Map(inside.map((s) => [s.id, [s.lon, s.lat] as [number, number]]));
    const max = Math.max(1, ...sites.map((s) => s.accelerators));
    const colouring = COLOURING[colourBy];
    const positions = sites.length <= LABELLED_SITES ? labelPositions(inside) : new Map<string, LabelPosition>();
    const dot = (s: Site) => ({
      name: s.id,
      value: [s.lon, s.lat, colouring.value(s, hourS)],
      symbolSize: (fontSize / 11) * (8 + 28 * Math.sqrt(s.accelerators / max)),
      label: {
        position: positions.get(s.id) ?? 'bottom',
        ...(s.outage ? { formatter: `${s.id} · out`, color: OUT_COLOUR, fontWeight: 'bold' } : {}),
      },
      // A site out of service is drawn hollow, with a thick ring: whatever its colour says is not on offer.
      ...(s.outage ? { itemStyle: { color: '#fff', borderColor: OUT_COLOUR, borderWidth: 3 } } : {}),
      site: s,
    });
    const label = {
      show: sites.length <= LABELLED_SITES,
      formatter: '{b}',
      position: 'right',
      fontSize,
      color: '#1b2530',
      textBorderColor: '#fff',
      textBorderWidth: 2,
    };
    const maxTraffic = Math.max(1, ...links.map((l) => l.trafficGb ?? 0));
    const pair = (a: string, b: string) => {
      const pa = at.get(a);
      const pb = at.get(b);
      return pa && pb ? [pa, pb] : undefined;
    };
    const geoStyle = {
      map: 'suanli-china',
      itemStyle: { areaColor: '#eef2f6', borderColor: '#b8c2cc' },
      emphasis: { disabled: true },
      regions: chinaGeo.features
        .filter((f) => f.properties.china)
        .map((f) => ({ name: f.properties.name, itemStyle: { areaColor: '#dfe8f1', borderColor: '#7d8fa3' } })),
      tooltip: { show: false },
    };
    const visualMap = {
      min: colouring.min,
      max: colouring.max,
      dimension: 2,
      calculable: false,
      text: colouring.text,
      textStyle: { fontSize },
      itemHeight: fontSize * 8,
      inRange: { color: SEQUENTIAL },
      left: 10,
      bottom: 10,
    };
    const tooltip = {
      trigger: 'item',
      formatter: (p: { data: { site?: Site } }) => {
        const s = p.data.site;
        if (!s) return '';
        const pools = s.pools.map((x) => `${x.accelerator} ${x.used}/${x.count}`).join('<br>');
        const out = s.outage
          ? `<br><b>Out of service</b> (${s.outage.failureClass}): ${escapeHtml(s.outage.reason)}`
          : '';
        return `<b>${s.name}</b> ${s.nameZh ?? ''}${out}<br>${Math.round(s.utilization * 100)}% used of ${s.accelerators} accelerators<br>PUE ${s.pue}, ${s.gridCarbonKgPerKwh} kgCO2/kWh<br>${pools}`;
      },
    };
    // The inset: a box around the sites beyond the frame, with a margin; coloured on the same scale.
    const inset = outside.length
      ? {
          animation: false,
          textStyle: { fontSize },
          geo: {
            ...geoStyle,
            roam: false,
            boundingCoords: [
              [Math.min(...outside.map((s) => s.lon)) - 8, Math.max(...outside.map((s) => s.lat)) + 6],
              [Math.max(...outside.map((s) => s.lon)) + 8, Math.min(...outside.map((s) => s.lat)) - 6],
            ],
          },
          tooltip,
          visualMap: { ...visualMap, show: false },
          series: [
            {
              type: 'scatter',
              coordinateSystem: 'geo',
              data: outside.map(dot),
              label: { ...label, position: 'bottom' },
              itemStyle: { borderColor: '#1b2530', borderWidth: 1, opacity: 0.95 },
            },
          ],
        }
      : { series: [] };
    const main = {
      animation: flows.length > 0 || placing.length > 0,
      textStyle: { fontSize },
      geo: {
        ...geoStyle,
        roam,
        boundingCoords: [
          [FRAME.west, FRAME.north],
          [FRAME.east, FRAME.south],
        ],
      },
      tooltip,
      visualMap: { ...visualMap, seriesIndex: 2 },
      series: [
        {
          type: 'lines',
          coordinateSystem: 'geo',
          silent: true,
          lineStyle: { color: '#8a99ab', opacity: 0.7 },
          data: links.flatMap((l) => {
            const coords = pair(l.a, l.b);
            const gb = l.trafficGb ?? 0;
            return coords
              ? [
                  {
                    coords,
                    lineStyle: l.cut
                      ? { width: 2, color: OUT_COLOUR, type: 'dashed', opacity: 0.9 }
                      : {
                          width: 1 + (gb > 0 ? 5 * Math.sqrt(gb / maxTraffic) : 0),
                          color: gb > 0 ? '#0072B2' : '#8a99ab',
                        },
                  },
                ]
              : [];
          }),
        },
        {
          type: 'lines',
          coordinateSystem: 'geo',
          silent: true,
          zlevel: 1,
          effect: {
            show: true,
            period: 3,
            trailLength: 0.3,
            symbol: 'arrow',
            symbolSize: fontSize * 0.6,
            color: '#D55E00',
          },
          lineStyle: { color: '#D55E00', width: 1.5, opacity: 0.6, curveness: 0.2 },
          data: flows.flatMap((f) => {
            const coords = pair(f.from, f.to);
            return coords ? [{ coords }] : [];
          }),
        },
        {
          type: 'scatter',
          coordinateSystem: 'geo',
          data: inside.map(dot),
          label,
          itemStyle: { borderColor: '#1b2530', borderWidth: 1, opacity: 0.95 },
        },
        {
          type: 'effectScatter',
          coordinateSystem: 'geo',
          silent: true,
          rippleEffect: { brushType: 'stroke', scale: 3 },
          itemStyle: { color: '#D55E00' },
          data: placing.flatMap((id) => {
            const p = at.get(id);
            return p ? [{ name: id, value: p, symbolSize: fontSize }] : [];
          }),
        },
      ],
    };
    return { main, inset };
  }, [sites, links, flows, placing, colourBy, hourS, fontSize, roam]);
  const el = useChart(option.main);
  const insetEl = useChart(option.inset);

  return (
    <div
      className="map"
      role="img"
      aria-label={`Map of ${sites.length} sites, coloured by ${colourBy}`}
      data-sites={sites.length}
      data-inset={outsideIds}
      data-colour-by={colourBy}
      data-links={links.length}
      data-flows={flows.length}
      data-out={sites
        .filter((s) => s.outage)
        .map((s) => s.id)
        .join(' ')}
      data-cut={links.filter((l) => l.cut).length}
    >
      <div ref={el} className="map-chart" />
      <div className="map-inset" hidden={outsideIds === ''}>
        <div className="map-inset-title">beyond the mainland</div>
        <div ref={insetEl} className="map-inset-chart" />
      </div>
    </div>
  );
}

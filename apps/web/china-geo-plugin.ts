import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Plugin } from 'vite';

const ID = 'virtual:china-geo';
const RESOLVED = `\0${ID}`;

/** ISO 3166 numeric codes drawn as China: the mainland, Taiwan, Hong Kong and Macao. */
const CHINA = new Set(['156', '158', '344', '446']);
/** Neighbours drawn faintly for orientation (not Russia, whose outline wraps the antimeridian), and south-east Asia for the inset. */
const NEIGHBOURS = new Set([
  '496',
  '408',
  '410',
  '392',
  '704',
  '418',
  '104',
  '356',
  '524',
  '064',
  '050',
  '398',
  '417',
  '762',
  '004',
  '586',
  '608',
  // South-east Asia, for the inset that shows sites beyond the mainland frame (Singapore).
  '702',
  '458',
  '764',
  '116',
  '360',
  '096',
]);

/**
 * Provides `virtual:china-geo`: a GeoJSON FeatureCollection cut from Natural Earth (world-atlas,
 * 1:50m) at build time, so the browser loads only the outlines it draws, not the whole world.
 */
export function chinaGeo(): Plugin {
  return {
    name: 'suanli-china-geo',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      const require = createRequire(import.meta.url);
      const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as Topology<{
        countries: GeometryCollection<{ name: string }>;
      }>;
      const all = feature(topo, topo.objects.countries);
      const round = (v: unknown): unknown =>
        Array.isArray(v) ? v.map(round) : typeof v === 'number' ? Math.round(v * 100) / 100 : v;
      const features = all.features
        .filter((f) => CHINA.has(String(f.id)) || NEIGHBOURS.has(String(f.id)))
        .map((f) => ({
          type: 'Feature',
          id: String(f.id),
          properties: {
            name: CHINA.has(String(f.id)) ? `China:${String(f.id)}` : (f.properties?.name ?? String(f.id)),
            china: CHINA.has(String(f.id)),
          },
          geometry: { type: f.geometry.type, coordinates: round((f.geometry as { coordinates: unknown }).coordinates) },
        }));
      return `export default ${JSON.stringify({ type: 'FeatureCollection', features })};`;
    },
  };
}

import { readFileSync } from 'node:fs';
import { greatCircleKm, modelLatencyMs } from '@suanli/engine';
import { builtinNetwork } from '@suanli/service';
import { describe, expect, it } from 'vitest';

/** Rows of a small CSV without quoted commas in the fields we read. */
function csv(file: string): Record<string, string>[] {
  const text = readFileSync(new URL(`../data/energy/${file}`, import.meta.url), 'utf8');
  const [head = '', ...lines] = text.trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (const ch of l) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}

const network = builtinNetwork();
const siteById = new Map(network.sites.map((s) => [s.id, s]));

describe('built-in network cn-national', () => {
  it('has two partner sites outside the mainland: Hong Kong and a foreign one', () => {
    expect(network.sites.filter((s) => s.kind === 'partner').map((s) => [s.id, s.jurisdiction])).toEqual([
      ['hong-kong', 'cn-hk'],
      ['singapore', 'foreign'],
    ]);
  });

  it('has the ten hub clusters and three eastern demand centres', () => {
    expect(network.sites.filter((s) => s.kind === 'cluster')).toHaveLength(10);
    expect(network.sites.filter((s) => s.kind === 'demand-centre').map((s) => s.id)).toEqual([
      'beijing',
      'shanghai',
      'shenzhen',
    ]);
  });

  it('agrees with the cluster facts: coordinates, PUE limits and 2022 grid factors', () => {
    for (const row of csv('cn-hub-clusters.csv')) {
      const site = siteById.get(String(row['cluster_id']).replaceAll('_', '-'));
      expect(site, row['cluster_id']).toBeDefined();
      expect(site?.lat).toBe(Number(row['lat']));
      expect(site?.lon).toBe(Number(row['lon']));
      expect(site?.pue).toBe(Number(row['pue_limit_start_area']));
      expect(site?.gridCarbonKgPerKwh).toBe(Number(row['province_factor_2022_kgCO2_per_kWh']));
      expect(site?.side).toBe(row['side']);
    }
  });

  it('uses the official provincial factor for each demand centre', () => {
    const factors = new Map(
      csv('cn-grid-emission-factors-mee.csv').map((r) => [r['name_en'], Number(r['factor_2022_kgCO2_per_kWh'])]),
    );
    expect(siteById.get('beijing')?.gridCarbonKgPerKwh).toBe(factors.get('Beijing'));
    expect(siteById.get('shanghai')?.gridCarbonKgPerKwh).toBe(factors.get('Shanghai'));
    expect(siteById.get('shenzhen')?.gridCarbonKgPerKwh).toBe(factors.get('Guangdong'));
  });

  it('reproduces the calibrated latency model for every pair of its sites', () => {
    const ids = (csvId: string) => csvId.replaceAll('_', '-');
    let compared = 0;
    for (const row of csv('cn-cluster-latency-model.csv')) {
      const a = siteById.get(ids(String(row['a'])));
      const b = siteById.get(ids(String(row['b'])));
      if (!a || !b) continue; // Guangzhou is in the model but not a site
      const km = greatCircleKm(a.lat, a.lon, b.lat, b.lon);
      expect(Math.abs(km - Number(row['great_circle_km'])), `${a.id}-${b.id}`).toBeLessThan(3);
      const ms = modelLatencyMs(km, network.linkModel.routeFactor, network.linkModel.minLatencyMs);
      // The table does not apply the 1 ms floor for metro pairs; the model does.
      expect(Math.abs(ms - Math.max(1, Number(row['oneway_ms_ip_private_est'])))).toBeLessThan(0.07);
      compared++;
    }
    expect(compared).toBe(78);
  });

  it('has a time-of-use tariff at every mainland site, and a realistic accelerator mix', () => {
    for (const s of network.sites.filter((x) => x.jurisdiction === 'cn-mainland')) {
      expect(s.tariffCnyPerKwh).toHaveLength(24);
      expect(Math.max(...s.tariffCnyPerKwh) / Math.min(...s.tariffCnyPerKwh)).toBeGreaterThanOrEqual(3);
    }
    const types = new Set(network.sites.flatMap((s) => s.pools.map((p) => p.accelerator)));
    for (const t of ['H100', 'H800', 'H20', 'A100', 'Ascend910B']) expect(types).toContain(t);
    // Demand centres are smaller and dearer than the western clusters.
    const price = (id: string, type: string) =>
      siteById.get(id)?.pools.find((p) => p.accelerator === type)?.priceCnyPerAcceleratorHour ?? 0;
    expect(price('beijing', 'H100')).toBeGreaterThan(price('zhongwei', 'H100'));
  });
});

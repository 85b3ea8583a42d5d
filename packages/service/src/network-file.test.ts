import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SuanliError } from './errors.ts';
import { loadNetworkFile, parseNetwork } from './network-file.ts';

const small = `name: two-sites
linkModel: { routeFactor: 2, bandwidthGbps: 40 }
tariffs:
  tou:
    flatCnyPerKwh: 0.5
    timeOfUse:
      - { name: peak, ratio: 1.5, hours: [[8, 12]] }
      - { name: valley, ratio: 0.5, hours: [[0, 6]] }
sites:
  - id: west
    name: West
    province: Ningxia
    lat: 37.5
    lon: 105.2
    pue: 1.2
    powerCapMw: 5
    gridCarbonKgPerKwh: 0.64
    tariff: tou
    pools:
      - { accelerator: H100, count: 64, priceCnyPerAcceleratorHour: 12 }
  - id: east
    name: East
    province: Shanghai
    lat: 31.2
    lon: 121.5
    pue: 1.35
    powerCapMw: 1
    gridCarbonKgPerKwh: 0.58
    tariff: [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    pools:
      - { id: east-gpu, accelerator: A100, count: 16, priceCnyPerAcceleratorHour: 9, backend: slurm }
datasets:
  - { name: corpus, sizeGb: 100, replicas: [west] }
tenants:
  - { id: acme, name: Acme, sector: internet }
`;

function failure(text: string): SuanliError {
  try {
    parseNetwork(text, 'net.yaml');
  } catch (e) {
    if (e instanceof SuanliError) return e;
    throw e;
  }
  throw new Error('expected the network to be refused');
}

describe('network file', () => {
  it('compiles sites, pools, tariffs and defaults', () => {
    const n = parseNetwork(small, 'net.yaml');
    expect(n.sites.map((s) => s.id)).toEqual(['west', 'east']);
    const west = n.sites[0];
    expect(west?.pools[0]).toMatchObject({ id: 'west-h100', backend: 'sim', siteId: 'west' });
    expect(west?.tariffCnyPerKwh.slice(0, 13)).toEqual([
      0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75, 0.5,
    ]);
    expect(west).toMatchObject({ utcOffsetH: 8, jurisdiction: 'cn-mainland', kind: 'cluster', greenShare: 0 });
    expect(n.sites[1]?.pools[0]).toMatchObject({ id: 'east-gpu', backend: 'slurm' });
    expect(n.linkModel).toEqual({ routeFactor: 2, minLatencyMs: 1, bandwidthGbps: 40, priceCnyPerGb: 0.05 });
    expect(n.accelerators.map((a) => a.type)).toContain('Ascend910B');
    expect(n.tenants).toEqual([{ id: 'acme', name: 'Acme', sector: 'internet', shareWeight: 1 }]);
  });

  it('gives pools a node size, their own or the defaults', () => {
    const withDefault = parseNetwork(`defaults: { nodeSize: 4 }\n${small}`, 'net.yaml');
    expect(withDefault.sites.map((s) => s.pools[0]?.nodeSize)).toEqual([4, 4]);
    const own = parseNetwork(
      small.replace(
        'count: 64, priceCnyPerAcceleratorHour: 12',
        'count: 64, nodeSize: 8, priceCnyPerAcceleratorHour: 12',
      ),
      'net.yaml',
    );
    expect(own.sites.map((s) => s.pools[0]?.nodeSize)).toEqual([8, undefined]);
    expect(failure(small.replace('count: 64,', 'count: 64, nodeSize: 0,'))).toMatchObject({
      code: 'INVALID_NETWORK',
      location: { field: 'sites[0].pools[0].nodeSize', line: 20 },
    });
  });

  const cases: [string, string, string, Record<string, unknown>][] = [
    [
      'an unknown accelerator',
      small.replace('accelerator: H100', 'accelerator: B200'),
      'unknown accelerator type B200',
      { field: 'sites[0].pools[0].accelerator', line: 20 },
    ],
    [
      'a duplicate site id',
      small.replace('id: east', 'id: west'),
      'duplicate site id west',
      { field: 'sites[1].id', line: 21 },
    ],
    [
      'an unknown tariff',
      small.replace('tariff: tou', 'tariff: cheap'),
      'unknown tariff cheap (known: tou)',
      { field: 'sites[0].tariff', line: 18 },
    ],
    [
      'overlapping tariff hours',
      small.replace('[[0, 6]]', '[[0, 9]]'),
      'hour 8 is in both peak and valley',
      { field: 'sites[0].tariff.timeOfUse[1].hours[0]' },
    ],
    [
      'a tariff with 23 hours',
      small.replace('0.7, 0.7]', '0.7]'),
      'must have exactly 24 items',
      { field: 'sites[1].tariff' },
    ],
    ['a PUE below 1', small.replace('pue: 1.2', 'pue: 0.9'), 'must be ≥ 1', { field: 'sites[0].pue', line: 15 }],
    [
      'a dataset at an unknown site',
      small.replace('replicas: [west]', 'replicas: [north]'),
      'unknown site north',
      { field: 'datasets[0].replicas[0]', line: 33 },
    ],
    [
      'a misspelt field',
      small.replace('powerCapMw: 5', 'powerCap: 5'),
      'unknown field (did you mean powerCapMw?)',
      { field: 'sites[0].powerCap', line: 16 },
    ],
  ];

  it.each(cases)('refuses %s with file, line and field', (_what, text, message, location) => {
    const e = failure(text);
    expect(e.code).toBe('INVALID_NETWORK');
    expect(e.message).toContain(message);
    expect(e.location).toMatchObject({ source: 'net.yaml', ...location });
  });

  it('refuses malformed YAML and a missing file as INVALID_NETWORK', () => {
    expect(failure('sites: [\n')).toMatchObject({ code: 'INVALID_NETWORK', location: { source: 'net.yaml', line: 2 } });
    const dir = mkdtempSync(join(tmpdir(), 'suanli-net-'));
    expect(() => loadNetworkFile(join(dir, 'missing.yaml'))).toThrow(/no such file/);
    writeFileSync(join(dir, 'ok.yaml'), small);
    expect(loadNetworkFile(join(dir, 'ok.yaml')).name).toBe('two-sites');
  });
});

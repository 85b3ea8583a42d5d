import type { Network } from '@suanli/engine';
import { describe, expect, it } from 'vitest';
import { eastWest } from './network.fixture.ts';
import { applyChanges, type NetworkChange, scaleNetwork, WhatIfError } from './what-if.ts';

const count = (net: ReturnType<typeof eastWest>, siteId: string, type: string) =>
  net.sites
    .find((s) => s.id === siteId)
    ?.pools.filter((p) => p.accelerator === type)
    .reduce((n, p) => n + p.count, 0) ?? 0;

describe('what-if changes', () => {
  it('adds capacity to an existing pool or as a new pool, and removes it', () => {
    const base = eastWest();
    const grown = applyChanges(base, [
      { kind: 'add-capacity', site: 'west', accelerator: 'H100', count: 32 },
      { kind: 'add-capacity', site: 'west', accelerator: 'A100', count: 8, priceCnyPerAcceleratorHour: 5 },
    ]);
    expect(count(grown, 'west', 'H100')).toBe(96);
    expect(grown.sites.find((s) => s.id === 'west')?.pools.find((p) => p.accelerator === 'A100')).toMatchObject({
      id: 'west-a100',
      siteId: 'west',
      count: 8,
      priceCnyPerAcceleratorHour: 5,
    });
    const shrunk = applyChanges(grown, [
      { kind: 'remove-capacity', site: 'west', accelerator: 'H100', count: 90 },
      { kind: 'remove-capacity', site: 'east' },
    ]);
    expect(count(shrunk, 'west', 'H100')).toBe(6);
    expect(shrunk.sites.find((s) => s.id === 'east')?.pools).toEqual([]);
    // Pure: the input network is untouched.
    expect(count(base, 'west', 'H100')).toBe(64);
  });

  it('changes tariffs, carbon, power caps and sector weights', () => {
    const base = eastWest();
    const net = applyChanges(base, [
      { kind: 'tariff', site: 'east', factor: 2 },
      { kind: 'tariff', site: 'west', flatCnyPerKwh: 0.1 },
      { kind: 'carbon', site: '*', factor: 0.5, greenShare: 0.6 },
      { kind: 'power-cap', site: 'west', powerCapMw: 3 },
      { kind: 'sector-weights', weights: { finance: 3 } },
    ]);
    const east = net.sites.find((s) => s.id === 'east');
    const west = net.sites.find((s) => s.id === 'west');
    expect(east?.tariffCnyPerKwh[0]).toBeCloseTo(1.6);
    expect(west?.tariffCnyPerKwh).toEqual(new Array(24).fill(0.1));
    expect(east?.gridCarbonKgPerKwh).toBeCloseTo((base.sites[0]?.gridCarbonKgPerKwh ?? 0) / 2);
    expect(net.sites.every((s) => s.greenShare === 0.6)).toBe(true);
    expect(west?.powerCapMw).toBe(3);
    for (const t of net.tenants) {
      const before = base.tenants.find((b) => b.id === t.id)?.shareWeight ?? Number.NaN;
      expect(t.shareWeight).toBe(before * (t.sector === 'finance' ? 3 : 1));
    }
  });

  it('gives pools a node size', () => {
    const net = applyChanges(eastWest(), [{ kind: 'node-size', site: '*', accelerator: 'H100', nodeSize: 8 }]);
    for (const s of net.sites) {
      for (const p of s.pools) expect(p.nodeSize).toBe(p.accelerator === 'H100' ? 8 : undefined);
    }
    expect(() =>
      applyChanges(eastWest(), [{ kind: 'node-size', site: 'west', accelerator: 'B200', nodeSize: 8 }]),
    ).toThrow(/no site has a B200 pool/);
  });

  it('rejects a change that names what the network lacks, with the index of the change', () => {
    const base = eastWest();
    const fail = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof WhatIfError ? { index: e.index, message: e.message } : e;
      }
      return undefined;
    };
    expect(
      fail(() =>
        applyChanges(base, [
          { kind: 'power-cap', site: 'west', powerCapMw: 3 },
          { kind: 'add-capacity', site: 'qingyang', accelerator: 'H100', count: 8 },
        ]),
      ),
    ).toEqual({ index: 1, message: 'unknown site qingyang (known: east, west)' });
    expect(
      fail(() => applyChanges(base, [{ kind: 'add-capacity', site: 'west', accelerator: 'B200', count: 8 }])),
    ).toMatchObject({ index: 0, message: expect.stringContaining('unknown accelerator type B200') });
    expect(fail(() => applyChanges(base, [{ kind: 'tariff', site: 'west' }]))).toMatchObject({
      message: 'give factor or flatCnyPerKwh',
    });
    expect(fail(() => applyChanges(base, [{ kind: 'sector-weights', weights: { energy: 2 } }]))).toMatchObject({
      message: expect.stringContaining('sector energy'),
    });
  });

  it('scales or replaces a power budget: a region, a site (its flat cap without a budget), a pool', () => {
    const base: Network = {
      ...eastWest(),
      regions: [
        {
          id: 'test-grid',
          name: 'Test grid',
          province: 'Test',
          utcOffsetH: 8,
          budget: {
            kwByHour: [1000],
            monthPct: new Array<number>(12).fill(90),
            schedule: [{ fromS: 0, toS: 3600, kw: 800 }],
            baseLoadKw: 40,
          },
        },
      ],
    };
    const withPool = applyChanges(base, [
      { kind: 'power-budget', pool: 'west-h100', budget: { kwByHour: [60] } },
      { kind: 'power-budget', site: 'west', budget: { kwByHour: new Array<number>(24).fill(2000) } },
    ]);
    const halved = applyChanges(withPool, [
      { kind: 'power-budget', region: 'test-grid', scalePct: 50 },
      { kind: 'power-budget', site: '*', scalePct: 50 },
      { kind: 'power-budget', pool: 'west-h100', scalePct: 200 },
    ]);
    // Every hour's and window's kW halves; the months' shares and the base load stay.
    expect(halved.regions?.[0]?.budget).toEqual({
      kwByHour: [500],
      monthPct: new Array<number>(12).fill(90),
      schedule: [{ fromS: 0, toS: 3600, kw: 400 }],
      baseLoadKw: 40,
    });
    const east = halved.sites.find((s) => s.id === 'east');
    const west = halved.sites.find((s) => s.id === 'west');
    // East has no budget of its own: its flat cap halves.
    expect(east?.powerCapMw).toBe(25);
    expect(east?.powerBudget).toBeUndefined();
    expect(west?.powerCapMw).toBe(50);
    expect(west?.powerBudget?.kwByHour).toEqual(new Array<number>(24).fill(1000));
    expect(west?.pools[0]?.powerBudget).toEqual({ kwByHour: [120] });
    // Pure: the input is untouched.
    expect(base.regions?.[0]?.budget.kwByHour).toEqual([1000]);
    expect(withPool.sites.find((s) => s.id === 'west')?.pools[0]?.powerBudget).toEqual({ kwByHour: [60] });

    const fail = (c: NetworkChange) => {
      try {
        applyChanges(base, [{ kind: 'power-cap', site: 'west', powerCapMw: 3 }, c]);
      } catch (e) {
        return e instanceof WhatIfError ? { index: e.index, message: e.message } : e;
      }
      return undefined;
    };
    expect(fail({ kind: 'power-budget', region: 'sichuan', scalePct: 50 })).toEqual({
      index: 1,
      message: 'unknown region sichuan (known: test-grid)',
    });
    expect(fail({ kind: 'power-budget', site: 'tianfu', scalePct: 50 })).toEqual({
      index: 1,
      message: 'unknown site tianfu (known: east, west)',
    });
    expect(fail({ kind: 'power-budget', pool: 'west-b200', scalePct: 50 })).toMatchObject({
      message: expect.stringContaining('unknown pool west-b200'),
    });
    expect(fail({ kind: 'power-budget', pool: 'east-h100', scalePct: 50 })).toMatchObject({
      message: 'pool east-h100 has no budget of its own to scale: give budget',
    });
    expect(fail({ kind: 'power-budget', region: 'test-grid', site: 'east', scalePct: 50 })).toMatchObject({
      message: 'give region, site or pool, one of them',
    });
    expect(fail({ kind: 'power-budget', site: 'east' })).toMatchObject({
      message: 'give scalePct or budget, one of them',
    });
    expect(fail({ kind: 'power-budget', region: 'test-grid', scalePct: 0 })).toMatchObject({
      message: 'scalePct must be > 0 and at most 1000',
    });
    expect(applyChanges.bind(null, eastWest(), [{ kind: 'power-budget', region: 'x', scalePct: 50 }])).toThrow(
      'unknown region x (the network has none)',
    );
  });

  it('scales a network to more sites and accelerators, keeping pools whole gangs', () => {
    const base = eastWest();
    const big = scaleNetwork(base, { sites: 10, accelerators: 10_000 });
    expect(big.sites).toHaveLength(10);
    expect(new Set(big.sites.map((s) => s.id)).size).toBe(10);
    const total = big.sites.reduce((n, s) => n + s.pools.reduce((m, p) => m + p.count, 0), 0);
    expect(total).toBeGreaterThan(9_800);
    expect(total).toBeLessThan(10_200);
    expect(big.sites.every((s) => s.pools.every((p) => p.count % 8 === 0 && p.siteId === s.id))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { Network } from '../domain/network.ts';
import { Cycle } from '../framework/cycle.ts';
import type { JobEvaluation } from '../framework/option.ts';
import { evaluateJob } from '../framework/runner.ts';
import { flat, job, site, T0, testNetwork } from '../network.fixture.ts';
import { classKey } from './batch.ts';
import { horizonOf } from './model.ts';
import { tightProfile } from './optimizer.fixture.ts';
import { evaluateShared, SHARING, shapeKey } from './shapes.ts';

/** Twenty one-pool sites whose prices and grids differ, so that a shape's best sites are a few. */
function wideNetwork(): Network {
  return {
    ...testNetwork(),
    sites: Array.from({ length: 20 }, (_, i) =>
      site(`s${String(i).padStart(2, '0')}`, {
        lon: 100 + i,
        gridCarbonKgPerKwh: 0.1 + ((i * 7) % 20) / 20,
        tariffCnyPerKwh: flat(0.3 + ((i * 3) % 20) / 40),
        pools: [
          {
            id: `s${i}-h100`,
            accelerator: 'H100',
            count: 64,
            priceCnyPerAcceleratorHour: 8 + ((i * 11) % 20) / 4,
            backend: 'sim',
          },
        ],
      }),
    ),
  };
}

/** What an evaluation offers: pool, start and cost of every feasible option, sorted. */
function offers(ev: JobEvaluation, sites?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < ev.feasible; i++) {
    const o = ev.option(i);
    if (sites && !sites.has(o.site.site.id)) continue;
    out.push(`${o.pool.pool.id}@${o.startS - T0}:${o.costCny.toFixed(6)}`);
  }
  return out.sort();
}

describe('shapes and classes', () => {
  it('puts jobs that differ only in run time, deadline, weights, tenant, kind or budget in one shape', () => {
    const a = job('a');
    const same = [
      job('b', { durationS: 7 * 3600, deadlineS: T0 + 86_400, objective: { cost: 3, carbon: 0, time: 1 } }),
      job('c', { tenant: 'other', kind: 'batch-infer', budgetCny: 100, priority: 5, submittedAtS: 99 }),
    ];
    for (const j of same) expect(shapeKey(j)).toBe(shapeKey(a));
    const different = [
      job('d', { options: [{ accelerator: 'H100', perMember: 16 }] }),
      job('e', { options: [{ accelerator: 'A100', perMember: 8 }] }),
      job('f', { gang: 2 }),
      job('g', { sites: ['west'] }),
      job('h', { originSiteId: 'east' }),
      job('i', { datasets: [{ name: 'corpus', sizeGb: 100, replicas: ['west'] }] }),
      job('k', { model: 'm' }),
    ];
    for (const j of different) expect(shapeKey(j)).not.toBe(shapeKey(a));
  });

  it('classes a shape by run length (buckets that double) and by how far it may start later', () => {
    const h = horizonOf(T0, tightProfile().optimizer);
    const key = (over: Parameters<typeof job>[1]) => classKey('s', job('x', over), h);
    expect(key({ durationS: 1800 })).toBe(key({ durationS: 3600 }));
    expect(key({ durationS: 3601 })).toBe(key({ durationS: 7200 }));
    expect(key({ durationS: 7201 })).toBe(key({ durationS: 4 * 3600 }));
    expect(key({ durationS: 4 * 3600 + 1 })).not.toBe(key({ durationS: 4 * 3600 }));
    expect(key({ durationS: 30 * 3600 })).toBe(key({ durationS: 24 * 3600 }));
    expect(key({ durationS: 3600, deadlineS: T0 + 2 * 3600 })).toBe(key({ durationS: 3600, deadlineS: T0 + 8 * 3600 }));
    expect(key({ durationS: 3600, deadlineS: T0 + 2 * 3600 })).not.toBe(key({ durationS: 3600 }));
    expect(key({ durationS: 3600, deadlineS: T0 + 10 * 3600 })).not.toBe(
      key({ durationS: 3600, deadlineS: T0 + 8 * 3600 }),
    );
  });

  it('evaluates the jobs of a shape on its best sites only, each exactly as over the whole network', () => {
    const network = wideNetwork();
    const profile = { ...tightProfile(), explain: 'brief' as const };
    const shape = [
      job('a', { durationS: 3600 }),
      job('b', { durationS: 5 * 3600, deadlineS: T0 + 20 * 3600, objective: { cost: 0, carbon: 1, time: 0 } }),
      job('c', { durationS: 1800, objective: { cost: 5, carbon: 0, time: 1 } }),
      job('d', { durationS: 9000, tenant: 'u' }),
    ];
    const alone = job('e', { gang: 2 });
    const bigger = job('f', { options: [{ accelerator: 'H100', perMember: 16 }] });
    const jobs = [...shape, alone, bigger];
    const cycle = new Cycle({ network, allocations: [], queue: jobs }, T0);
    const shared = evaluateShared(cycle, jobs, profile);
    expect(shared.shapeOf.slice(0, 4).every((s) => s === shared.shapeOf[0])).toBe(true);
    // A shape of one job (none of its kind differs only in size) is evaluated over every site.
    expect(shared.considered[4]).toBe(0);
    expect(shared.evaluations[4]?.feasibleSites).toBe(20);
    const considered = shared.considered[0] as number;
    expect(considered).toBeGreaterThanOrEqual(SHARING.sitesPerObjective);
    expect(considered).toBeLessThanOrEqual(3 * SHARING.sitesPerObjective);
    expect(considered).toBeLessThan(20);
    const first = shared.evaluations[0] as JobEvaluation;
    const candidates = new Set<string>();
    for (let i = 0; i < first.feasible; i++) candidates.add(first.option(i).site.site.id);
    shape.forEach((j, i) => {
      const ev = shared.evaluations[i] as JobEvaluation;
      expect(shared.considered[i]).toBe(considered);
      // The sites it was evaluated on, and on those exactly what a full evaluation offers.
      const full = evaluateJob(cycle, j, profile, true);
      expect(offers(ev)).toEqual(offers(full, candidates));
      expect(candidates.size).toBe(considered);
    });
    // A shape that differs only in size is another class but shares the ranking of sites.
    expect(shared.shapeOf[5]).not.toBe(shared.shapeOf[0]);
    expect(shared.considered[5]).toBe(considered);
    const f = shared.evaluations[5] as JobEvaluation;
    expect(offers(f)).toEqual(offers(evaluateJob(cycle, bigger, profile, true), candidates));
    expect(f.option(0).count).toBe(16);
  });
});

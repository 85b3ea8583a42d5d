import { describe, expect, it } from 'vitest';
import { Cycle } from '../framework/cycle.ts';
import { evaluateJob } from '../framework/runner.ts';
import { job, T0, testNetwork } from '../network.fixture.ts';
import { seededRng } from '../rng.ts';
import { type Column, horizonOf, jobColumns, perJobModel, RowUse } from './model.ts';
import { overCommitted, tightAllocations, tightCycle, tightJobs, tightProfile } from './optimizer.fixture.ts';

describe('per-job model', () => {
  it('leaves out only rows that cannot bind: any plan within the rows it keeps fits at every instant', () => {
    const profile = tightProfile();
    const jobs = tightJobs(40, seededRng(3));
    const cycle = tightCycle(jobs);
    const horizon = horizonOf(T0, profile.optimizer);
    const columns: Column[] = [];
    jobs.forEach((j, i) => {
      for (const c of jobColumns(i, j, evaluateJob(cycle, j, profile, true), profile, horizon, 6)) columns.push(c);
    });
    const model = perJobModel(cycle, jobs.length, columns, horizon);
    // Rows are left out: far fewer than pools × slots + sites × slots; capacity and power both bind.
    expect(model.rowWhat.some((w) => w.kind === 'pool')).toBe(true);
    expect(model.rowWhat.some((w) => w.kind === 'site')).toBe(true);
    expect(model.rowUpper.length).toBeLessThan((cycle.net.pools.length + cycle.net.sites.length) * horizon.slots);
    const rng = seededRng(11);
    let planned = 0;
    for (let trial = 0; trial < 150; trial++) {
      // A random plan that the kept rows allow: columns in random order, each if its job has none.
      const order = model.columns.map((_, c) => c).sort(() => rng.next() - 0.5);
      const use = new RowUse(model);
      const taken = new Set<number>();
      const options = [];
      for (const c of order) {
        const col = model.columns[c] as Column;
        if (taken.has(col.job) || !use.fits(c)) continue;
        use.take(c);
        taken.add(col.job);
        options.push(col);
      }
      planned += options.length;
      const fresh = new Cycle({ network: cycle.net.network, allocations: tightAllocations(), queue: [] }, T0);
      expect(overCommitted(fresh, options)).toEqual([]);
    }
    expect(planned).toBeGreaterThan(150 * 10);
  });

  it('keeps the row of a slot where what is free drops, though no column starts in it', () => {
    // 16 H100 free for two hours, then 8: a job holding its pool from then on.
    const network = {
      ...testNetwork(),
      sites: testNetwork().sites.filter((s) => s.id === 'east'),
    };
    const staging = {
      jobId: 'later',
      tenant: 't',
      kind: 'train' as const,
      poolId: 'east-h100',
      accelerator: 'H100',
      count: 8,
      startS: T0 + 7200,
      endS: T0 + 10 * 3600,
      priority: 0,
      preemptible: true,
    };
    const jobs = [job('a', { durationS: 3 * 3600 }), job('b', { durationS: 3 * 3600 })];
    const cycle = new Cycle({ network, allocations: [staging], queue: jobs }, T0);
    const profile = tightProfile();
    const horizon = horizonOf(T0, profile.optimizer);
    const columns = jobs.flatMap((j, i) => jobColumns(i, j, evaluateJob(cycle, j, profile, true), profile, horizon, 1));
    const model = perJobModel(cycle, 2, columns, horizon);
    // Slot 0 fits both (16 free); slot 2 does not (8 free), though both started in slot 0.
    expect(model.rowWhat).toEqual([{ kind: 'pool', index: cycle.net.poolById.get('east-h100')?.index, slot: 2 }]);
    expect(model.rowUpper[0]).toBe(8);
    const use = new RowUse(model);
    expect(use.fits(0)).toBe(true);
    use.take(0);
    expect(use.fits(1)).toBe(false);
  });

  it('puts each job’s columns cheapest first, the first being its best', () => {
    const profile = tightProfile();
    const jobs = tightJobs(12, seededRng(5));
    const cycle = tightCycle(jobs);
    const horizon = horizonOf(T0, profile.optimizer);
    const columns = jobs.flatMap((j, i) => jobColumns(i, j, evaluateJob(cycle, j, profile, true), profile, horizon, 6));
    const model = perJobModel(cycle, jobs.length, columns.reverse(), horizon);
    for (let j = 0; j < jobs.length; j++) {
      const from = model.first[j] as number;
      const to = model.first[j + 1] as number;
      expect(to).toBeGreaterThan(from);
      expect(model.best[j]).toBe(from);
      for (let c = from; c < to; c++) {
        expect((model.columns[c] as Column).job).toBe(j);
        if (c > from) expect(model.cost[c]).toBeGreaterThanOrEqual(model.cost[c - 1] as number);
      }
      // Costs are relative to the job's best on each objective: the cheapest is at least 1.
      expect(model.cost[from]).toBeGreaterThanOrEqual(1 - 1e-9);
    }
  });
});

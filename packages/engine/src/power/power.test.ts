import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../decide.ts';
import type { Network } from '../domain/network.ts';
import type { GridEvent, PowerBudget } from '../domain/power.ts';
import { budgetKwAt, profileKwAt } from '../domain/power.ts';
import type { Allocation } from '../domain/snapshot.ts';
import { levelBudgetKwAt } from '../framework/power-levels.ts';
import { prepareNetwork } from '../framework/prepared-network.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC, defaultProfile } from '../framework/registry.ts';
import { allocationKw } from '../framework/running-draw.ts';
import { Ledger } from '../ledger/ledger.ts';
import { cappedDevice } from '../models/power-curve.ts';
import { H100, job, running, site, T0 } from '../network.fixture.ts';
import { GridMeter } from './grid-meter.ts';
import { planGridEvent, type ShedGroup } from './grid-plan.ts';

/** Two sites in one grid region; site `a` has a hall (`a-hall`) with its own budget. */
function tree(siteA: PowerBudget, siteB: PowerBudget, region: PowerBudget, hall?: PowerBudget): Network {
  return {
    name: 'tree',
    accelerators: [H100],
    sites: [
      site('a', {
        province: 'Grid',
        powerBudget: siteA,
        pools: [
          {
            id: 'a-hall',
            accelerator: 'H100',
            count: 32,
            priceCnyPerAcceleratorHour: 10,
            backend: 'sim',
            ...(hall ? { powerBudget: hall } : {}),
          },
          { id: 'a-main', accelerator: 'H100', count: 32, priceCnyPerAcceleratorHour: 10, backend: 'sim' },
        ],
      }),
      site('b', { province: 'Grid', powerBudget: siteB }),
    ],
    links: [],
    linkModel: { routeFactor: 2.75, minLatencyMs: 1, bandwidthGbps: 100, priceCnyPerGb: 0.05 },
    datasets: [],
    tenants: [],
    clusterQueues: [],
    priorityClasses: {},
    regions: [{ id: 'grid', name: 'Grid', province: 'Grid', utcOffsetH: 8, budget: region }],
  };
}

const hourly = (kw: readonly number[]): PowerBudget => ({ kwByHour: kw });

describe('power budgets as a tree', () => {
  it('reads a budget by local hour, by month, and from contracted windows', () => {
    const b: PowerBudget = {
      kwByHour: Array.from({ length: 24 }, (_, h) => 100 + h),
      monthPct: [50, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
      schedule: [{ fromS: T0, toS: T0 + 3600, kw: 7 }],
    };
    // T0 is 2026-11-23 00:00 UTC: 08:00 in Beijing.
    expect(profileKwAt(b, 8, T0 + 1800)).toBe(108);
    expect(budgetKwAt(b, 8, T0 + 1800)).toBe(7);
    expect(budgetKwAt(b, 8, T0 + 3600)).toBe(109);
    // Mid-January: half.
    expect(profileKwAt(b, 8, T0 + 60 * 86_400)).toBe(54);
  });

  it('sums the fixed draw up the tree: hall, site, region', () => {
    const net = prepareNetwork(tree(hourly([500]), hourly([500]), hourly([900]), { kwByHour: [300], baseLoadKw: 5 }));
    const hall = net.levelByKey.get('pool:a-hall');
    const a = net.levelByKey.get('site:a');
    const region = net.levelByKey.get('region:grid');
    const idle32 = (32 * 700 * 0.18 * 1.35 * 1.2) / 1000;
    expect(hall?.fixedKw).toBeCloseTo(idle32 + 5, 9);
    expect(a?.fixedKw).toBeCloseTo(2 * idle32 + 5, 9);
    expect(region?.fixedKw).toBeCloseTo(4 * idle32 + 5, 9);
    expect(net.poolById.get('a-hall')?.levels.map((l) => `${l.kind}:${l.id}`)).toEqual([
      'pool:a-hall',
      'site:a',
      'region:grid',
    ]);
  });

  it('holds a job back until the hour its region allows, and names the level and hour', () => {
    const fixed =
      prepareNetwork(tree(hourly([500]), hourly([500]), hourly([900]))).levelByKey.get('region:grid')?.fixedKw ?? 0;
    // Region: only its fixed load until 10:00 local, room from then on.
    const region = hourly(Array.from({ length: 24 }, (_, h) => (h >= 10 && h < 22 ? fixed + 100 : fixed + 1)));
    const network = tree(hourly([500]), hourly([500]), region);
    const { decisions } = decide({ network, allocations: [], queue: [job('j', { durationS: 3600 })] }, T0);
    const d = decisions[0];
    expect(d?.kind).toBe('reserve');
    if (d?.kind !== 'reserve') return;
    // T0 is 08:00 local: the run starts at 10:00.
    expect(d.placement.estimate.startS).toBe(T0 + 2 * 3600);
    expect(d.reason).toContain("region grid's budget");
    expect(d.reason).toContain('08:00 local');
  });

  it('never lets any level draw over its budget at any hour (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 30, max: 80 }), { minLength: 24, maxLength: 24 }),
        fc.array(fc.integer({ min: 30, max: 80 }), { minLength: 24, maxLength: 24 }),
        fc.array(fc.integer({ min: 55, max: 120 }), { minLength: 24, maxLength: 24 }),
        fc.integer({ min: 16, max: 40 }),
        fc.option(
          fc.record({
            startH: fc.integer({ min: 0, max: 20 }),
            hours: fc.integer({ min: 1, max: 6 }),
            kw: fc.integer({ min: 50, max: 90 }),
          }),
        ),
        fc.array(
          fc.record({
            perMember: fc.integer({ min: 1, max: 16 }),
            durationS: fc.integer({ min: 600, max: 30_000 }),
            kind: fc.constantFrom('train' as const, 'serve' as const, 'batch-infer' as const),
            capW: fc.option(fc.integer({ min: 150, max: 700 }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 14 },
        ),
        (a, b, r, hallKw, ev, specs) => {
          const network = tree(hourly(a), hourly(b), hourly(r), hourly([hallKw]));
          const event: GridEvent[] = ev
            ? [
                {
                  id: 'ge',
                  level: 'region',
                  target: 'grid',
                  startS: T0 + ev.startH * 3600,
                  endS: T0 + (ev.startH + ev.hours) * 3600,
                  complyByS: T0 + ev.startH * 3600,
                  ceilingKw: ev.kw,
                  ceiling: [{ fromS: T0 + ev.startH * 3600, toS: T0 + (ev.startH + ev.hours) * 3600, kw: ev.kw }],
                },
              ]
            : [];
          const queue = specs.map((s, i) =>
            job(`j${i}`, {
              submittedAtS: T0 + i,
              kind: s.kind,
              durationS: s.durationS,
              options: [{ accelerator: 'H100', perMember: s.perMember }],
              ...(s.capW !== undefined ? { powerCapW: s.capW } : {}),
            }),
          );
          const power = event.length > 0 ? { events: event, schedules: [] } : undefined;
          const { decisions } = decide({ network, allocations: [], queue, ...(power ? { power } : {}) }, T0, {
            profile: buildProfile({ ...DEFAULT_PROFILE_SPEC, backfill: { reservations: 20 } }),
          });
          const net = prepareNetwork(network);
          const held = decisions.flatMap((d) => (d.kind === 'wait' ? [] : [{ d, p: d.placement }]));
          const times = new Set<number>();
          for (const { p } of held) times.add(p.estimate.startS).add(p.estimate.endS - 1);
          for (let h = 0; h < 48; h++) times.add(T0 + h * 3600);
          const additions = new Map(event.map((e) => [`region:grid`, { windows: [], events: [e] }]));
          for (const t of times) {
            for (const level of net.levels) {
              let kw = level.fixedKw;
              for (const { d, p } of held) {
                const pool = net.poolById.get(p.poolId);
                if (!pool?.levels.includes(level)) continue;
                if (p.estimate.startS <= t && t < p.estimate.endS) {
                  const j = queue.find((q) => q.id === d.jobId);
                  kw += allocationKw(pool, {
                    kind: j?.kind ?? 'train',
                    count: p.count,
                    ...(j?.powerCapW !== undefined ? { powerCapW: j.powerCapW } : {}),
                  });
                }
              }
              const budget = levelBudgetKwAt(level, additions.get(`${level.kind}:${level.id}`), t);
              if (held.length > 0 && kw > budget + 1e-6) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 80 },
    );
  });

  it('runs a capped job longer and at less power, and says so', () => {
    const network = tree(hourly([500]), hourly([500]), hourly([900]));
    const capped = job('c', { durationS: 3600, powerCapW: 450 });
    const { decisions } = decide({ network, allocations: [], queue: [capped, job('u', { durationS: 3600 })] }, T0);
    const [c, u] = decisions;
    expect(c?.kind).toBe('place');
    expect(u?.kind).toBe('place');
    if (c?.kind !== 'place' || u?.kind !== 'place') return;
    const { throughput } = cappedDevice(H100, 'train', 450);
    expect(throughput).toBeGreaterThan(0.8);
    expect(throughput).toBeLessThan(1);
    expect(c.placement.estimate.durationS).toBeCloseTo(3600 / throughput, 6);
    expect(c.placement.estimate.powerKw).toBeLessThan(u.placement.estimate.powerKw);
    // Less energy for the same work: power falls faster than speed.
    expect(c.placement.estimate.energyKwh).toBeLessThan(u.placement.estimate.energyKwh);
    const text = [c.explanation?.summary ?? '', ...(c.explanation?.notes ?? [])].join(' ');
    expect(text).toMatch(/capped at 450 W per H100: runs 1\.\d\d× as long, draws \d+% less power/);
  });
});

describe('grid events: the plan', () => {
  const network = tree(hourly([5000]), hourly([5000]), hourly([9000]));
  const kwOf = (id: string, allocations: readonly Allocation[]) => {
    const net = prepareNetwork(network);
    const a = allocations.find((x) => x.jobId === id) as Allocation;
    return allocationKw(net.poolById.get(a.poolId) as never, a);
  };
  const allocations: Allocation[] = [
    running('burst', 'a-main', 8, { kind: 'serve', preemptible: true, endS: T0 + 86_400 }),
    running('spot', 'a-main', 8, { preemptible: true, endS: T0 + 86_400 }),
    running('slack', 'a-hall', 16, { endS: T0 + 86_400, checkpointS: 1800, preemptible: false }),
    running('tight', 'a-hall', 16, { endS: T0 + 6 * 3600, deadlineS: T0 + 6 * 3600 + 600, preemptible: false }),
    running('other-region', 'b-h100', 8, { endS: T0 + 86_400, preemptible: false }),
  ];
  const request = (reductionKw: number) => ({
    id: 'ge-1',
    level: 'site' as const,
    target: 'a',
    startS: T0,
    endS: T0 + 2 * 3600,
    complyByS: T0 + 900,
    reductionKw,
  });

  it('powers down idle accelerators first: no job is touched', () => {
    const plan = planGridEvent(network, allocations, request(3), T0);
    expect(plan.actions).toEqual([]);
    // a-hall's 32 are all held; a-main has 16 idle: as many as 3 kW needs.
    const perKw = (700 * 0.18 * 1.35 * 1.2) / 1000;
    expect(plan.parked).toEqual([
      { poolId: 'a-main', count: Math.ceil(3 / perKw), savedKw: Math.ceil(3 / perKw) * perKw },
    ]);
    expect(plan.event.parked).toEqual([{ poolId: 'a-main', count: Math.ceil(3 / perKw) }]);
    // The cycle sees them gone for the window, and the load without their idle draw.
    const ledger = new Ledger(network, defaultProfile(), { cycleS: 0 });
    for (const a of allocations) ledger.hold(a);
    const before = ledger.levelLoadKw('site', 'a', T0);
    ledger.gridEvent(plan.event, T0);
    expect(before - ledger.levelLoadKw('site', 'a', T0)).toBeCloseTo(plan.parked[0]?.savedKw ?? 0, 9);
  });

  const JOBS_ONLY: ShedGroup[] = ['burst', 'preemptible', 'slack', 'cap'];

  it('sheds in order: burst replicas, preemptible jobs, jobs with slack, then caps', () => {
    const small = planGridEvent(network, allocations, request(0.5), T0, JOBS_ONLY);
    expect(small.actions.map((x) => [x.jobId, x.action])).toEqual([['burst', 'scale-in']]);
    expect(small.feasible).toBe(true);
    const more = planGridEvent(network, allocations, request(kwOf('burst', allocations) + 1), T0, JOBS_ONLY);
    expect(more.actions.map((x) => x.jobId)).toEqual(['burst', 'spot']);
    const most = planGridEvent(
      network,
      allocations,
      request(kwOf('burst', allocations) + kwOf('spot', allocations) + kwOf('slack', allocations) + 1),
      T0,
      JOBS_ONLY,
    );
    expect(most.actions.map((x) => [x.jobId, x.action])).toEqual([
      ['burst', 'scale-in'],
      ['spot', 'preempt'],
      ['slack', 'pause'],
      ['tight', 'cap'],
    ]);
    // The job with a deadline is capped, not paused (a pause of the window would break it), and
    // only as deep as needed.
    const tight = most.actions.find((x) => x.jobId === 'tight');
    expect(tight?.capW).toBeGreaterThan(600);
    expect(tight?.breaksDeadline).toBe(false);
    expect(most.feasible).toBe(true);
    // Nothing outside the site is touched.
    expect(most.actions.some((x) => x.jobId === 'other-region')).toBe(false);
  });

  it('follows the profile order, and says by how much it falls short', () => {
    const capsFirst = planGridEvent(network, allocations, request(1), T0, ['cap', 'burst', 'preemptible', 'slack']);
    expect(capsFirst.actions[0]?.action).toBe('cap');
    const all = allocations.filter((a) => a.poolId !== 'b-h100').reduce((n, a) => n + kwOf(a.jobId, allocations), 0);
    const impossible = planGridEvent(network, allocations, request(all + 500), T0);
    expect(impossible.feasible).toBe(false);
    expect(impossible.shortfallKw).toBeGreaterThan(490);
    expect(impossible.shortfallKwh).toBeGreaterThan(0);
  });

  it('resolves a reduction to a ceiling that the next cycles keep to', () => {
    const plan = planGridEvent(network, allocations, request(20), T0, JOBS_ONLY);
    const ceiling = plan.event.ceiling[0]?.kw ?? 0;
    const ledger = new Ledger(network, defaultProfile(), { cycleS: 0 });
    for (const a of allocations) ledger.hold(a);
    ledger.gridEvent(plan.event, T0);
    // A new job at site a: held back until the event ends (or sent to b).
    ledger.enqueue(job('new', { durationS: 1800, options: [{ accelerator: 'H100', perMember: 8 }], sites: ['a'] }), T0);
    const { decisions } = decide(ledger.snapshot(T0), T0);
    const d = decisions[0];
    expect(d?.kind === 'place').toBe(false);
    expect(d && d.kind !== 'place' ? d.reason : '').toContain('grid event ge-1');
    expect(ledger.levelLoadKw('site', 'a', T0)).toBeGreaterThan(ceiling);
  });
});

describe('grid events: what was delivered', () => {
  it('measures the load over the window against the baseline', () => {
    const network = tree(hourly([5000]), hourly([5000]), hourly([9000]));
    const allocations = [
      running('x', 'a-main', 16, { endS: T0 + 86_400 }),
      running('y', 'a-main', 16, { endS: T0 + 86_400, preemptible: false }),
    ];
    const ledger = new Ledger(network, defaultProfile(), { cycleS: 0 });
    for (const a of allocations) ledger.hold(a);
    const plan = planGridEvent(
      network,
      allocations,
      { id: 'e', level: 'site', target: 'a', startS: T0, endS: T0 + 3600, complyByS: T0 + 60, reductionKw: 10 },
      T0,
    );
    const meter = new GridMeter();
    meter.watch(plan.event, plan.baselineKwh, plan.askedKwh);
    const load = (e: GridEvent) => ledger.levelLoadKw(e.level, e.target, T0);
    meter.sample(T0, load);
    // The plan's action: one job stopped at once.
    const stopped = plan.actions[0]?.jobId ?? '';
    ledger.release(stopped, T0);
    meter.applied('e', T0);
    meter.sample(T0, load);
    expect(meter.finish(T0 + 1800, load)).toEqual([]);
    const [delivery] = meter.finish(T0 + 3600, load);
    const kw = allocationKw(prepareNetwork(network).poolById.get('a-main') as never, allocations[0] as Allocation);
    expect(delivery?.deliveredKwh).toBeCloseTo(kw, 6);
    expect(delivery?.askedKwh).toBeCloseTo(10, 6);
    expect(delivery?.deliveredPct).toBeGreaterThan(100);
    expect(delivery?.onTime).toBe(true);
    expect(delivery?.overCeilingKw).toBe(0);
  });
});

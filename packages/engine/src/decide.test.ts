import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, quote } from './decide.ts';
import type { Decision } from './domain/placement.ts';
import type { Snapshot } from './domain/snapshot.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from './framework/registry.ts';
import { job, running, T0, testNetwork } from './network.fixture.ts';

const network = testNetwork();
const snap = (over: Partial<Snapshot> = {}): Snapshot => ({ network, allocations: [], queue: [], ...over });
const placed = (d: Decision | undefined) => {
  if (d?.kind !== 'place') throw new Error(`expected a placement, got ${JSON.stringify(d)}`);
  return d.placement;
};
const fifo = buildProfile({ ...DEFAULT_PROFILE_SPEC, name: 'fifo', queueSort: 'priority-fifo' });

describe('decide', () => {
  it('places on the cheapest site when only cost counts', () => {
    const { decisions } = decide(snap({ queue: [job('a', { objective: { cost: 1, carbon: 0, time: 0 } })] }), T0);
    expect(placed(decisions[0]).siteId).toBe('west');
  });

  it('places on the cleanest site when only carbon counts, and states its figures', () => {
    const { decisions } = decide(snap({ queue: [job('a', { objective: { cost: 0, carbon: 1, time: 0 } })] }), T0);
    const p = placed(decisions[0]);
    expect(p.siteId).toBe('hydro');
    // 8 × 700 W × 0.96 × 1.35 × PUE 1.2 × 1 h = 8.709 kWh; × 0.14 kg/kWh.
    expect(p.estimate.energyKwh).toBeCloseTo(8.709, 2);
    expect(p.estimate.carbonKg).toBeCloseTo(8.709 * 0.14, 2);
    expect(p.estimate.carbonSignal).toBe('location-based');
    // 8 accelerator-hours at 12 CNY + energy at 0.5 CNY/kWh.
    expect(p.estimate.costCny).toBeCloseTo(96 + 8.709 * 0.5, 2);
  });

  it('explains every site: ranked ones with score parts, the others with the plug-in that filtered them', () => {
    const { decisions } = decide(snap({ queue: [job('a', { options: [{ accelerator: 'A100', perMember: 8 }] })] }), T0);
    const e = decisions[0]?.explanation;
    expect(e?.verdicts.map((v) => v.siteId).sort()).toEqual(['east', 'hydro', 'west']);
    expect(e?.verdicts[0]).toMatchObject({ siteId: 'east', outcome: 'scored', rank: 1 });
    expect(e?.verdicts.filter((v) => v.outcome === 'filtered')).toEqual([
      expect.objectContaining({ siteId: 'west', plugin: 'accelerator-type', code: 'unresolvable' }),
      expect.objectContaining({ siteId: 'hydro', plugin: 'accelerator-type', code: 'unresolvable' }),
    ]);
  });

  it('lets later jobs in the same cycle see what earlier ones took', () => {
    const cheap = { objective: { cost: 1, carbon: 0, time: 1 } } as const;
    const { decisions } = decide(
      snap({
        queue: [
          job('a', { ...cheap, options: [{ accelerator: 'H100', perMember: 48 }] }),
          job('b', { ...cheap, submittedAtS: 1, options: [{ accelerator: 'H100', perMember: 32 }] }),
        ],
      }),
      T0,
      { profile: fifo },
    );
    expect(placed(decisions[0]).siteId).toBe('west');
    // west has 16 left; b needs 32, so it goes to hydro (32) rather than waiting.
    expect(placed(decisions[1]).siteId).toBe('hydro');
  });

  it('places a gang whole in one pool, or not at all', () => {
    const { decisions } = decide(
      snap({ queue: [job('g', { gang: 4, options: [{ accelerator: 'H100', perMember: 8 }] })] }),
      T0,
    );
    const p = placed(decisions[0]);
    expect(p.count).toBe(32);
    expect(['west', 'hydro']).toContain(p.siteId);
    const tooBig = decide(
      snap({ queue: [job('h', { gang: 9, options: [{ accelerator: 'H100', perMember: 8 }] })] }),
      T0,
    );
    expect(tooBig.decisions[0]).toMatchObject({ kind: 'wait', unresolvable: true });
  });

  it('reserves the start of a job that must wait, and says when', () => {
    const allocations = [
      running('x', 'west-h100', 64, { endS: T0 + 1800 }),
      running('y', 'hydro-h100', 32, { endS: T0 + 7200 }),
      running('z', 'east-h100', 16, { endS: T0 + 7200 }),
    ];
    const queue = [job('a', { objective: { cost: 1, carbon: 0, time: 1 } })];
    const { decisions } = decide(snap({ allocations, queue }), T0);
    expect(decisions[0]).toMatchObject({
      kind: 'reserve',
      placement: { siteId: 'west', estimate: { startS: T0 + 1800, waitS: 1800 } },
    });
    const noBackfill = buildProfile({ ...DEFAULT_PROFILE_SPEC, backfill: { reservations: 0 } });
    const waiting = decide(snap({ allocations, queue }), T0, { profile: noBackfill });
    expect(waiting.decisions[0]).toMatchObject({ kind: 'wait', unresolvable: false, expectedStartS: T0 + 1800 });
  });

  it('respects deadlines and budgets, naming the plug-in', () => {
    // The west pool is full for an hour: a one-hour run there would end half an hour late.
    const { decisions } = decide(
      snap({
        allocations: [running('x', 'west-h100', 64, { endS: T0 + 3600 })],
        queue: [job('a', { deadlineS: T0 + 5400 }), job('b', { budgetCny: 50, submittedAtS: 1 })],
      }),
      T0,
    );
    const a = decisions.find((d) => d.jobId === 'a');
    expect(a?.kind).toBe('place');
    expect(a?.explanation.verdicts.find((v) => v.siteId === 'west')).toMatchObject({
      plugin: 'deadline',
      outcome: 'filtered',
      reason: 'would end 30 min after the deadline',
    });
    expect(decisions.find((d) => d.jobId === 'b')?.explanation.verdicts[0]).toMatchObject({
      plugin: 'budget',
      outcome: 'filtered',
    });
  });

  it('orders the queue by priority, then submission time', () => {
    const { decisions } = decide(
      snap({
        queue: [
          job('late', { submittedAtS: 5 }),
          job('urgent', { submittedAtS: 9, priority: 10 }),
          job('early', { submittedAtS: 1 }),
        ],
      }),
      T0,
      { profile: fifo },
    );
    expect(decisions.map((d) => d.jobId)).toEqual(['urgent', 'early', 'late']);
  });

  it('scales the duration with throughput when it takes another accelerator type', () => {
    // East has 16 A100; the job's estimate is for 8 H100 (989 TFLOPS each), so 8 A100 (312) take 3.17 × longer.
    const j = job('a', {
      objective: { cost: 1, carbon: 1, time: 3 },
      options: [
        { accelerator: 'H100', perMember: 8 },
        { accelerator: 'A100', perMember: 8 },
      ],
    });
    const allocations = [
      running('w', 'west-h100', 64, { endS: T0 + 86400 }),
      running('h', 'hydro-h100', 32, { endS: T0 + 86400 }),
      running('e', 'east-h100', 16, { endS: T0 + 86400 }),
    ];
    const p = placed(decide(snap({ allocations, queue: [j] }), T0).decisions[0]);
    expect(p.accelerator).toBe('A100');
    expect(p.estimate.durationS).toBeCloseTo((3600 * 989) / 312, 6);
  });

  it('gives the same decisions, byte for byte, for the same snapshot and time', () => {
    const queue = Array.from({ length: 40 }, (_, i) =>
      job(`j${i}`, {
        submittedAtS: i,
        tenant: `t${i % 3}`,
        gang: 1 + (i % 3),
        options:
          i % 2
            ? [{ accelerator: 'H100', perMember: 4 }]
            : [
                { accelerator: 'A100', perMember: 2 },
                { accelerator: 'H100', perMember: 2 },
              ],
        objective: { cost: i % 4, carbon: 1, time: (i * 7) % 5 },
        ...(i % 5 === 0 ? { deadlineS: T0 + 86400 } : {}),
      }),
    );
    const a = JSON.stringify(decide(snap({ queue }), T0));
    const b = JSON.stringify(decide(snap({ queue: [...queue].reverse() }), T0));
    expect(a).toBe(b);
  });
});

describe('decide: cycle mechanics', () => {
  it('looks at no more than queueDepth jobs, in queue order; the rest wait and say why', () => {
    const profile = buildProfile({ ...DEFAULT_PROFILE_SPEC, queueSort: 'priority-fifo', queueDepth: 2 });
    const queue = [job('c', { submittedAtS: 3 }), job('a', { submittedAtS: 1 }), job('b', { submittedAtS: 2 })];
    const { decisions } = decide({ network: testNetwork(), allocations: [], queue }, T0, { profile });
    expect(decisions.map((d) => [d.jobId, d.kind])).toEqual([
      ['a', 'place'],
      ['b', 'place'],
      ['c', 'wait'],
    ]);
    expect(decisions[2]?.kind === 'wait' && decisions[2].reason).toMatch(/queueDepth/);
  });

  it('holds the accelerators of a job past its expected end: it is still running', () => {
    // All 32 hydro H100 are held by a job that should have ended an hour ago.
    const allocations = [running('late', 'hydro-h100', 32, { startS: T0 - 7200, endS: T0 - 3600, preemptible: false })];
    const { decisions } = decide({ network: testNetwork(), allocations, queue: [job('j', { sites: ['hydro'] })] }, T0);
    const d = decisions[0];
    expect(d?.kind).toBe('reserve');
    // Assumed to run on as long again as it has overrun: an hour.
    expect(d?.kind === 'reserve' && d.placement.estimate.startS).toBeGreaterThanOrEqual(T0 + 3600);
  });

  it('makes the same decisions with explanations off: only the text is left out (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            count: fc.constantFrom(1, 8, 16, 32),
            durationS: fc.integer({ min: 600, max: 20_000 }),
            site: fc.constantFrom(undefined, 'west', 'hydro', 'east'),
            priority: fc.constantFrom(0, 0, 5),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(
          fc.record({ pool: fc.constantFrom('west-h100', 'hydro-h100', 'east-h100'), count: fc.constantFrom(8, 16) }),
          {
            maxLength: 8,
          },
        ),
        (jobs, held) => {
          const queue = jobs.map((j, i) =>
            job(`j${i}`, {
              options: [{ accelerator: 'H100', perMember: j.count }],
              durationS: j.durationS,
              priority: j.priority,
              submittedAtS: i,
              ...(j.site ? { sites: [j.site] } : {}),
            }),
          );
          const allocations = held.map((h, i) => running(`r${i}`, h.pool, h.count, { endS: T0 + 600 * (i + 1) }));
          const snapshot = { network: testNetwork(), allocations, queue };
          const full = buildProfile({ ...DEFAULT_PROFILE_SPEC, backfill: { reservations: 2 } });
          const none = buildProfile({ ...DEFAULT_PROFILE_SPEC, backfill: { reservations: 2 }, explain: 'none' });
          const shape = (ds: readonly Decision[]) =>
            ds.map((d) => ({
              id: d.jobId,
              kind: d.kind,
              pool: d.kind === 'wait' ? undefined : d.placement.poolId,
              startS: d.kind === 'wait' ? undefined : d.placement.estimate.startS,
              preempts: d.kind === 'place' ? d.preempts.map((p) => p.jobId) : [],
            }));
          const a = decide(snapshot, T0, { profile: full }).decisions;
          const b = decide(snapshot, T0, { profile: none }).decisions;
          expect(shape(b)).toEqual(shape(a));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('quote', () => {
  it('ranks sites for a job without placing it, after the queue', () => {
    const e = quote(
      snap({ queue: [job('q1', { options: [{ accelerator: 'H100', perMember: 64 }] })] }),
      job('new'),
      T0,
    );
    // The queued job fills west, so the quote cannot start there now.
    const west = e.verdicts.find((v) => v.siteId === 'west');
    expect(west).toMatchObject({ outcome: 'scored' });
    expect(west?.outcome === 'scored' && west.estimate.waitS).toBe(3600);
    expect(e.summary).toMatch(/^best/);
  });
});

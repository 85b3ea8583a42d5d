import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../decide.ts';
import type { Decision } from '../domain/placement.ts';
import { job, running, T0, testNetwork } from '../network.fixture.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from './registry.ts';

const fifo = buildProfile({ ...DEFAULT_PROFILE_SPEC, queueSort: 'priority-fifo', timeShift: false });
const network = testNetwork();

describe('backfill', () => {
  it('starts a short job ahead of a blocked big one only if the reserved start is not delayed', () => {
    // West has 24 of 64 H100 free until T0 + 3600, then all 64.
    const allocations = [
      running('x', 'west-h100', 40, { endS: T0 + 3600 }),
      running('h', 'hydro-h100', 32, { endS: T0 + 86400 }),
      running('e', 'east-h100', 16, { endS: T0 + 86400 }),
    ];
    const head = job('head', { submittedAtS: 0, options: [{ accelerator: 'H100', perMember: 64 }] });
    const short = job('short', { submittedAtS: 1, durationS: 1800, options: [{ accelerator: 'H100', perMember: 16 }] });
    const long = job('long', { submittedAtS: 2, durationS: 7200, options: [{ accelerator: 'H100', perMember: 16 }] });
    const { decisions } = decide({ network, allocations, queue: [head, short, long] }, T0, {
      profile: fifo,
    });
    const by = (id: string) => decisions.find((d) => d.jobId === id);
    expect(by('head')).toMatchObject({
      kind: 'reserve',
      placement: { siteId: 'west', estimate: { startS: T0 + 3600 } },
    });
    // Short ends before the head's reservation: backfilled now. Long would delay it: it waits after the head.
    expect(by('short')).toMatchObject({ kind: 'place', placement: { siteId: 'west' } });
    expect(by('long')?.kind).not.toBe('place');
  });

  it('never lets a later job delay a reserved start, nor over-fill a pool (property)', () => {
    const jobSpec = fc.record({
      perMember: fc.integer({ min: 1, max: 64 }),
      gang: fc.integer({ min: 1, max: 2 }),
      durationS: fc.integer({ min: 300, max: 14400 }),
      priority: fc.integer({ min: 0, max: 2 }),
      a100: fc.boolean(),
    });
    const held = fc.record({
      pool: fc.constantFrom('west-h100', 'hydro-h100', 'east-h100', 'east-a100'),
      count: fc.integer({ min: 1, max: 16 }),
      endIn: fc.integer({ min: 60, max: 20000 }),
    });
    fc.assert(
      fc.property(
        fc.array(jobSpec, { minLength: 1, maxLength: 25 }),
        fc.array(held, { maxLength: 6 }),
        (specs, helds) => {
          // Running jobs as generated, dropping any that would over-fill their pool.
          const size = new Map(network.sites.flatMap((s) => s.pools.map((p) => [p.id, p.count] as const)));
          const allocations = helds.flatMap((h, i) => {
            const left = size.get(h.pool) ?? 0;
            if (h.count > left) return [];
            size.set(h.pool, left - h.count);
            return [
              running(`r${i}`, h.pool, h.count, {
                accelerator: h.pool.endsWith('a100') ? 'A100' : 'H100',
                endS: T0 + h.endIn,
              }),
            ];
          });
          const queue = specs.map((s, i) =>
            job(`j${i}`, {
              submittedAtS: i,
              priority: s.priority,
              gang: s.gang,
              durationS: s.durationS,
              options: s.a100
                ? [{ accelerator: 'A100', perMember: Math.min(s.perMember, 8) }]
                : [{ accelerator: 'H100', perMember: s.perMember }],
            }),
          );
          // Preemption is left out: it may legitimately move reservations (it is tested on its own).
          const profile = buildProfile({
            ...DEFAULT_PROFILE_SPEC,
            queueSort: 'priority-fifo',
            plugins: DEFAULT_PROFILE_SPEC.plugins.filter((p) => p.name !== 'preemption'),
            timeShift: false,
            backfill: { reservations: 100 },
          });
          const { decisions } = decide({ network, allocations, queue }, T0, { profile });
          // Jobs stopped by preemption no longer hold anything.
          const stopped = new Set(decisions.flatMap((d) => (d.kind === 'place' ? d.preempts.map((p) => p.jobId) : [])));
          const left = allocations.filter((a) => !stopped.has(a.jobId));
          return respectsCapacity(decisions, left) && reservationsHold(decisions, left, queue, profile);
        },
      ),
      { numRuns: 150 },
    );
  });
});

type Held = { poolId: string; count: number; startS: number; endS: number };

function holds(
  decisions: readonly Decision[],
  allocations: readonly { poolId: string; count: number; endS: number }[],
): Held[] {
  return [
    ...allocations.map((a) => ({ poolId: a.poolId, count: a.count, startS: T0, endS: Math.max(a.endS, T0) })),
    ...decisions.flatMap((d) =>
      d.kind === 'wait'
        ? []
        : [
            {
              poolId: d.placement.poolId,
              count: d.placement.count,
              startS: d.placement.estimate.startS,
              endS: d.placement.estimate.endS,
            },
          ],
    ),
  ];
}

/** At every breakpoint, what is held in a pool is at most its size. */
function respectsCapacity(
  decisions: readonly Decision[],
  allocations: readonly { poolId: string; count: number; endS: number }[],
): boolean {
  const all = holds(decisions, allocations);
  for (const pool of network.sites.flatMap((s) => s.pools)) {
    const mine = all.filter((h) => h.poolId === pool.id);
    for (const t of mine.map((h) => h.startS)) {
      const used = mine.filter((h) => h.startS <= t && t < h.endS).reduce((n, h) => n + h.count, 0);
      if (used > pool.count) return false;
    }
  }
  return true;
}

/**
 * Deciding again with only the jobs that got reservations (and the running ones) gives each of them
 * a start no later than reserved: jobs decided after them did not push them back.
 */
function reservationsHold(
  decisions: readonly Decision[],
  allocations: Parameters<typeof decide>[0]['allocations'],
  queue: Parameters<typeof decide>[0]['queue'],
  profile: ReturnType<typeof buildProfile>,
): boolean {
  const placedNow = decisions.filter((d) => d.kind === 'place');
  const reserved = decisions.filter((d) => d.kind === 'reserve');
  if (reserved.length === 0) return true;
  // With the jobs placed now running, the reserved ones, decided in the same order, start as reserved.
  const nowRunning = [
    ...allocations,
    ...placedNow.map((d) =>
      d.kind === 'place'
        ? running(d.jobId, d.placement.poolId, d.placement.count, {
            accelerator: d.placement.accelerator,
            startS: d.placement.estimate.startS,
            endS: d.placement.estimate.endS,
          })
        : running('x', 'west-h100', 0),
    ),
  ];
  const again = decide(
    { network, allocations: nowRunning, queue: queue.filter((j) => reserved.some((r) => r.jobId === j.id)) },
    T0,
    { profile },
  );
  return reserved.every((r) => {
    const d = again.decisions.find((x) => x.jobId === r.jobId);
    const start = d && d.kind !== 'wait' ? d.placement.estimate.startS : Number.POSITIVE_INFINITY;
    return r.kind === 'reserve' && start <= r.placement.estimate.startS;
  });
}

import { describe, expect, it } from 'vitest';
import { decide } from '../../decide.ts';
import type { Allocation } from '../../domain/snapshot.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from '../../framework/registry.ts';
import { job, queuedNetwork, running, T0, testNetwork } from '../../network.fixture.ts';

/** The default without its order-based preemption, so only this plug-in stops jobs. */
const profile = buildProfile({
  ...DEFAULT_PROFILE_SPEC,
  queueSort: 'fair-share',
  plugins: DEFAULT_PROFILE_SPEC.plugins.filter((p) => p.name !== 'preempt-by-order'),
  backfill: { reservations: 0 },
});

/** Fills every H100 pool of the test network with the given allocations plus filler. */
function full(extra: Allocation[], filler: Partial<Allocation> = {}): Allocation[] {
  const used = (pool: string) => extra.filter((a) => a.poolId === pool).reduce((n, a) => n + a.count, 0);
  const fill = (pool: string, size: number) =>
    size - used(pool) > 0 ? [running(`fill-${pool}`, pool, size - used(pool), { priority: 100, ...filler })] : [];
  return [...extra, ...fill('west-h100', 64), ...fill('hydro-h100', 32), ...fill('east-h100', 16)];
}

describe('preemption', () => {
  it('stops the fewest, lowest-priority jobs on a full pool for a higher-priority job', () => {
    const allocations = full(
      [
        running('low-big', 'west-h100', 16, { priority: 1, endS: T0 + 86400 }),
        running('low-small-a', 'west-h100', 8, { priority: 1, startS: T0 - 100, endS: T0 + 86400 }),
        running('low-small-b', 'west-h100', 8, { priority: 2, startS: T0 - 50, endS: T0 + 86400 }),
        running('keep', 'west-h100', 32, { priority: 1, preemptible: false, endS: T0 + 86400 }),
      ],
      { endS: T0 + 86400 },
    );
    const { decisions } = decide(
      {
        network: testNetwork(),
        allocations,
        queue: [job('vip', { priority: 50, options: [{ accelerator: 'H100', perMember: 16 }] })],
      },
      T0,
      { profile },
    );
    const d = decisions[0];
    expect(d?.kind).toBe('place');
    // One 16-accelerator victim beats two 8s; the non-preemptible job is never chosen.
    expect(d?.kind === 'place' && d.preempts.map((p) => p.jobId)).toEqual(['low-big']);
    expect(d?.kind === 'place' && d.placement.poolId).toBe('west-h100');
  });

  it('stops the victim that loses the least work since its last checkpoint, and says what it loses', () => {
    // Two equal victims checkpointing hourly: one 50 minutes past its last checkpoint, one 5 minutes.
    const allocations = full(
      [
        running('ckpt-late', 'west-h100', 16, { priority: 1, startS: T0 - 3000, endS: T0 + 86400, checkpointS: 3600 }),
        running('ckpt-fresh', 'west-h100', 16, { priority: 1, startS: T0 - 3900, endS: T0 + 86400, checkpointS: 3600 }),
      ],
      { endS: T0 + 86400 },
    );
    const { decisions } = decide(
      {
        network: testNetwork(),
        allocations,
        queue: [job('vip', { priority: 50, options: [{ accelerator: 'H100', perMember: 16 }] })],
      },
      T0,
      { profile },
    );
    const d = decisions[0];
    expect(d?.kind === 'place' && d.preempts.map((p) => p.jobId)).toEqual(['ckpt-fresh']);
    // 16 accelerators × 300 s since the checkpoint: 1.33 accelerator-hours.
    expect(d?.kind === 'place' && d.preempts[0]?.reason).toContain(
      'loses 1.33 accelerator-hours since its last checkpoint',
    );
  });

  it('does not preempt jobs of equal or higher priority, nor when the wait is short', () => {
    const allocations = full([], { priority: 5, endS: T0 + 86400 });
    const same = decide({ network: testNetwork(), allocations, queue: [job('j', { priority: 5 })] }, T0, {
      profile,
    });
    expect(same.decisions[0]?.kind).toBe('wait');
    const soon = full([], { priority: 0, endS: T0 + 300 });
    const short = decide({ network: testNetwork(), allocations: soon, queue: [job('j', { priority: 9 })] }, T0, {
      profile,
    });
    expect(short.decisions[0]?.kind).toBe('wait');
  });

  it('reclaims quota borrowed by another queue of the cohort for a queue under its nominal', () => {
    // Industry borrowed: it holds 64 H100 of a cohort of 64; research holds none.
    const allocations = [
      running('i-1', 'west-h100', 32, { tenant: 'i', priority: 10, startS: T0 - 900, endS: T0 + 86400 }),
      running('i-2', 'west-h100', 16, { tenant: 'i', priority: 10, startS: T0 - 300, endS: T0 + 86400 }),
      running('i-3', 'hydro-h100', 16, { tenant: 'i', priority: 10, startS: T0 - 600, endS: T0 + 86400 }),
    ];
    const { decisions } = decide(
      {
        network: queuedNetwork(),
        allocations,
        queue: [job('r-job', { tenant: 'r', priority: 0, options: [{ accelerator: 'H100', perMember: 16 }] })],
      },
      T0,
      { profile },
    );
    const d = decisions[0];
    expect(d?.kind).toBe('place');
    // Any priority may be reclaimed; one 16 is enough, the most recently started of the lowest priority.
    expect(d?.kind === 'place' && d.preempts).toEqual([expect.objectContaining({ jobId: 'i-2', count: 16 })]);
    expect(d?.kind === 'place' && d.preempts[0]?.reason).toContain('reclaiming borrowed quota');
  });

  it('does not reclaim from a queue that does not borrow', () => {
    const allocations = [
      running('i-1', 'west-h100', 32, { tenant: 'i', endS: T0 + 86400 }),
      running('r-1', 'west-h100', 32, { tenant: 'r', endS: T0 + 86400 }),
    ];
    const { decisions } = decide(
      {
        network: queuedNetwork(),
        allocations,
        queue: [job('r-job', { tenant: 'r', priority: 0, options: [{ accelerator: 'H100', perMember: 8 }] })],
      },
      T0,
      { profile },
    );
    expect(decisions[0]?.kind).toBe('wait');
    expect(decisions[0]?.explanation.verdicts.some((v) => v.outcome === 'filtered' && v.plugin === 'quota')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { decide } from '../decide.ts';
import { cycleOf, job, running, T0, testNetwork } from '../network.fixture.ts';
import { Plan } from './plan.ts';
import type { ReservePlugin } from './plugin.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from './registry.ts';

describe('plan (transaction)', () => {
  it('undoes every hold and release on discard, in reverse order', () => {
    const c = cycleOf({ allocations: [running('x', 'west-h100', 8, { tenant: 'a', endS: T0 + 600 })] });
    const pool = c.net.poolById.get('west-h100');
    if (!pool) throw new Error('pool');
    const before = {
      free: c.freeAt(pool, T0),
      later: c.freeAt(pool, T0 + 1000),
      power: c.power.siteFreeAt(pool.site, T0),
      usage: c.usageOf('a').get('H100'),
    };
    const plan = new Plan(c);
    plan.hold(pool, 16, T0, T0 + 3600, 50, 'a');
    plan.release(pool, c.allocationsOn(pool)[0] ?? running('none', 'west-h100', 0));
    expect(c.freeAt(pool, T0)).toBe(before.free - 16 + 8);
    expect(c.allocationsOn(pool)).toHaveLength(0);
    plan.discard();
    expect({
      free: c.freeAt(pool, T0),
      later: c.freeAt(pool, T0 + 1000),
      power: c.power.siteFreeAt(pool.site, T0),
      usage: c.usageOf('a').get('H100'),
    }).toEqual(before);
    expect(c.allocationsOn(pool)).toHaveLength(1);
    expect(() => plan.commit()).toThrow(/already/);
  });

  it('places a gang whole or not at all: a reserve plug-in that refuses leaves nothing held', () => {
    const seen: string[] = [];
    const refuseBig: ReservePlugin = {
      name: 'refuse-big',
      reserve: (_c, j) => (j.gang > 2 ? { code: 'unschedulable', reason: 'too big for today' } : null),
      unreserve: (_c, j) => {
        seen.push(j.id);
      },
    };
    const base = buildProfile({ ...DEFAULT_PROFILE_SPEC, backfill: { reservations: 0 } });
    const profile = { ...base, reserves: [refuseBig] };
    const { decisions } = decide(
      {
        network: testNetwork(),
        allocations: [],
        queue: [
          job('gang4', { gang: 4, options: [{ accelerator: 'H100', perMember: 8 }] }),
          job('after', {
            submittedAtS: 1,
            options: [{ accelerator: 'H100', perMember: 64 }],
            objective: { cost: 1, carbon: 0, time: 1 },
          }),
        ],
      },
      T0,
      { profile },
    );
    expect(decisions.find((d) => d.jobId === 'gang4')?.kind).toBe('wait');
    expect(decisions.find((d) => d.jobId === 'gang4')?.explanation.notes.join(' ')).toContain(
      'refuse-big: too big for today',
    );
    expect(seen).toContain('gang4');
    // Had any member of the gang stayed held, the 64-H100 job would not fit west now.
    expect(decisions.find((d) => d.jobId === 'after')).toMatchObject({ kind: 'place', placement: { siteId: 'west' } });
  });
});

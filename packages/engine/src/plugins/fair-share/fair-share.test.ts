import { describe, expect, it } from 'vitest';
import { decide } from '../../decide.ts';
import { Cycle } from '../../framework/cycle.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from '../../framework/registry.ts';
import { job, running, T0, testNetwork } from '../../network.fixture.ts';
import { dominantShare } from './fair-share.ts';

describe('fair-share', () => {
  it("measures a tenant's dominant share over accelerator types, divided by its weight", () => {
    const network = {
      ...testNetwork(),
      tenants: [{ id: 'heavy', name: 'H', sector: 'research' as const, shareWeight: 2 }],
    };
    const c = new Cycle(
      {
        network,
        allocations: [
          running('a', 'west-h100', 56, { tenant: 'heavy' }),
          running('b', 'east-a100', 8, { tenant: 'heavy', accelerator: 'A100' }),
        ],
        queue: [],
      },
      T0,
    );
    // 56 of 112 H100 = 0.5; 8 of 16 A100 = 0.5; weight 2 → 0.25.
    expect(dominantShare(c, 'heavy')).toBeCloseTo(0.25, 9);
    expect(dominantShare(c, 'nobody')).toBe(0);
  });

  it('serves the tenant with the smallest share next, re-reading shares after every placement', () => {
    // Tenant a already holds 32 H100; a and b each queue three 16-H100 jobs, a's submitted first.
    const queue = [
      ...[0, 1, 2].map((i) =>
        job(`a${i}`, {
          tenant: 'a',
          submittedAtS: i,
          objective: { cost: 0, carbon: 0, time: 1 },
          options: [{ accelerator: 'H100', perMember: 16 }],
        }),
      ),
      ...[0, 1, 2].map((i) =>
        job(`b${i}`, {
          tenant: 'b',
          submittedAtS: 10 + i,
          objective: { cost: 0, carbon: 0, time: 1 },
          options: [{ accelerator: 'H100', perMember: 16 }],
        }),
      ),
    ];
    const { decisions } = decide(
      {
        network: testNetwork(),
        allocations: [running('held', 'west-h100', 32, { tenant: 'a', endS: T0 + 86400 })],
        queue,
      },
      T0,
      { profile: buildProfile({ ...DEFAULT_PROFILE_SPEC, queueSort: 'fair-share' }) },
    );
    expect(decisions.map((d) => d.jobId)).toEqual(['b0', 'b1', 'a0', 'b2', 'a1', 'a2']);
  });
});

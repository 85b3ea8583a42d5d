import { describe, expect, it } from 'vitest';
import { decide } from '../../decide.ts';
import { buildProfile, DEFAULT_PROFILE_SPEC } from '../../framework/registry.ts';
import { job, running, T0, testNetwork } from '../../network.fixture.ts';

function run(args: Record<string, number>, held = 0) {
  const profile = buildProfile({
    ...DEFAULT_PROFILE_SPEC,
    plugins: [...DEFAULT_PROFILE_SPEC.plugins, { name: 'tenant-limit', args }],
    backfill: { reservations: 0 },
  });
  const allocations = Array.from({ length: held }, (_, i) =>
    running(`r${i}`, 'west-h100', 8, { tenant: 'a', endS: T0 + 86400 }),
  );
  const queue = [0, 1, 2].map((i) => job(`j${i}`, { tenant: 'a', submittedAtS: i }));
  return decide({ network: testNetwork(), allocations, queue }, T0, { profile }).decisions;
}

describe('tenant-limit', () => {
  it('caps the jobs a tenant runs at once, counting running ones (reserve)', () => {
    const d = run({ maxJobs: 2 }, 1);
    expect(d.map((x) => x.kind)).toEqual(['place', 'wait', 'wait']);
    expect(d[1]?.explanation.notes.join(' ')).toContain('tenant-limit: tenant a runs 2 jobs, its limit');
  });

  it('caps the accelerators a tenant holds (permit)', () => {
    const d = run({ maxAccelerators: 16 });
    expect(d.map((x) => x.kind)).toEqual(['place', 'place', 'wait']);
    expect(d[2]?.explanation.notes.join(' ')).toContain('would hold 24 accelerators; its limit is 16');
  });
});
